// LSTM, GRU, RNN: attribute parsing (engine/recurrent.h) and shape inference.
#include "engine/recurrent.h"

#include <cctype>

#include "engine/ops/op_util.h"

namespace fusedinf {

namespace {

bool iequal(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i)
    if (std::tolower(static_cast<unsigned char>(a[i])) != std::tolower(static_cast<unsigned char>(b[i]))) return false;
  return true;
}

// onnxruntime's defaults (rnn_helpers.cc) where the alpha / beta lists run out.
constexpr RnnActInfo kActs[] = {
    {RnnAct::kRelu, "Relu", false, false, 0.f, 0.f},
    {RnnAct::kTanh, "Tanh", false, false, 0.f, 0.f},
    {RnnAct::kSigmoid, "Sigmoid", false, false, 0.f, 0.f},
    {RnnAct::kAffine, "Affine", true, true, 0.f, 0.f},
    {RnnAct::kLeakyRelu, "LeakyRelu", true, false, 0.01f, 0.f},
    {RnnAct::kThresholdedRelu, "ThresholdedRelu", true, false, 0.f, 0.f},
    {RnnAct::kScaledTanh, "ScaledTanh", true, true, 0.f, 0.f},
    {RnnAct::kHardSigmoid, "HardSigmoid", true, true, 0.2f, 0.5f},
    {RnnAct::kElu, "Elu", true, false, 1.f, 0.f},
    {RnnAct::kSoftsign, "Softsign", false, false, 0.f, 0.f},
    {RnnAct::kSoftplus, "Softplus", false, false, 0.f, 0.f},
};

Status infer_recurrent(const Node& node, std::span<const ValueInfo> in, std::span<ValueInfo> out) {
  RecurrentParams p;
  FI_RETURN_IF_ERROR(parse_recurrent(node, &p));
  // Here, not in parse_recurrent: Attributes::has takes a std::string (kernels must not allocate).
  if (p.kind != RnnKind::kLstm && node.attrs.has("input_forget")) return Status::error("input_forget is LSTM's only");
  if (p.kind != RnnKind::kGru && node.attrs.has("linear_before_reset"))
    return Status::error("linear_before_reset is GRU's only");
  for (size_t i = 0; i < in.size(); ++i) {
    if (!in[i].present || i == 4) continue;
    FI_RETURN_IF_ERROR(expect_dtype(in[i], DType::kFloat32, i == 0 ? "X" : "a weight or state input"));
  }
  if (!in[1].present || !in[2].present) return Status::error("W and R are required");
  const Shape& x = in[0].shape;
  if (x.size() != 3) return Status::error("X must have rank 3, got " + shape_to_string(x));
  const int64_t d = p.num_directions, h = p.hidden, g = p.gates;
  const int64_t seq = p.layout == 0 ? x[0] : x[1], batch = p.layout == 0 ? x[1] : x[0], input = x[2];
  auto expect_shape = [&](size_t i, const Shape& want, const char* name) -> Status {
    if (i >= in.size() || !in[i].present || in[i].shape == want) return Status::ok();
    return Status::error(std::string(name) + " must be " + shape_to_string(want) + ", got " +
                         shape_to_string(in[i].shape));
  };
  FI_RETURN_IF_ERROR(expect_shape(1, {d, g * h, input}, "W"));
  FI_RETURN_IF_ERROR(expect_shape(2, {d, g * h, h}, "R"));
  FI_RETURN_IF_ERROR(expect_shape(3, {d, 2 * g * h}, "B"));
  if (in.size() > 4 && in[4].present) {
    FI_RETURN_IF_ERROR(expect_dtype(in[4], DType::kInt32, "sequence_lens"));
    FI_RETURN_IF_ERROR(expect_shape(4, {batch}, "sequence_lens"));
  }
  const Shape state = p.layout == 0 ? Shape{d, batch, h} : Shape{batch, d, h};
  FI_RETURN_IF_ERROR(expect_shape(5, state, "initial_h"));
  FI_RETURN_IF_ERROR(expect_shape(6, state, "initial_c"));
  FI_RETURN_IF_ERROR(expect_shape(7, {d, 3 * h}, "P"));
  out[0] = {DType::kFloat32, p.layout == 0 ? Shape{seq, d, batch, h} : Shape{batch, seq, d, h}};
  for (size_t o = 1; o < out.size(); ++o) out[o] = {DType::kFloat32, state};
  return Status::ok();
}

constexpr OpDef kOps[] = {
    {"LSTM", 3, 8, 1, 3, infer_recurrent},
    {"GRU", 3, 6, 1, 2, infer_recurrent},
    {"RNN", 3, 6, 1, 2, infer_recurrent},
};

}  // namespace

bool rnn_act_info(std::string_view name, RnnActInfo* info) {
  for (const RnnActInfo& a : kActs)
    if (iequal(a.name, name)) {
      *info = a;
      return true;
    }
  return false;
}

bool rnn_kind_of(std::string_view op, RnnKind* kind, int* gates, int* acts_per_dir) {
  if (op == "LSTM")
    *kind = RnnKind::kLstm, *gates = 4, *acts_per_dir = 3;
  else if (op == "GRU")
    *kind = RnnKind::kGru, *gates = 3, *acts_per_dir = 2;
  else if (op == "RNN")
    *kind = RnnKind::kRnn, *gates = 1, *acts_per_dir = 1;
  else
    return false;
  return true;
}

Status parse_recurrent(const Node& node, RecurrentParams* params) {
  RecurrentParams& p = *params;
  p = RecurrentParams{};
  if (!rnn_kind_of(node.op, &p.kind, &p.gates, &p.acts_per_dir))
    return Status::error("'" + node.op + "' is not a recurrent op");
  const Attributes& a = node.attrs;
  const std::string_view direction = a.string_or("direction", "forward");
  if (direction == "forward" || direction == "reverse") {
    p.num_directions = 1;
    p.reverse = direction == "reverse";
  } else if (direction == "bidirectional") {
    p.num_directions = 2;
  } else {
    return Status::error("direction must be forward, reverse or bidirectional, got '" + std::string(direction) + "'");
  }
  p.hidden = a.int_or("hidden_size", 0);
  if (p.hidden < 1) return Status::error("hidden_size must be >= 1");
  // Bounded so that 2 * gates * hidden_size (B's width) cannot overflow.
  if (p.hidden > kMaxTensorElements)
    return Status::error("hidden_size " + std::to_string(p.hidden) + " is over the limit of " +
                         std::to_string(kMaxTensorElements));
  p.layout = static_cast<int>(a.int_or("layout", 0));
  if (p.layout != 0 && p.layout != 1) return Status::error("layout must be 0 or 1");
  p.clip = a.float_or("clip", INFINITY);
  if (!(p.clip > 0.f)) return Status::error("clip must be > 0");
  p.input_forget = a.int_or("input_forget", 0) != 0;
  p.linear_before_reset = a.int_or("linear_before_reset", 0) != 0;

  const int count = p.acts_per_dir * p.num_directions;
  const std::span<const float> alphas = a.floats("activation_alpha"), betas = a.floats("activation_beta");
  if (static_cast<int>(alphas.size()) != count || static_cast<int>(betas.size()) != count)
    return Status::error("activation_alpha and activation_beta must have one value per activation (" +
                         std::to_string(count) + ")");
  std::string_view names = a.string_or("activations", "");
  for (int k = 0; k < count; ++k) {
    const size_t comma = names.find(',');
    const std::string_view name = names.substr(0, comma);
    RnnActInfo info;
    if (!rnn_act_info(name, &info))
      return Status::error("activations must list " + std::to_string(count) + " of Relu, Tanh, Sigmoid, Affine, " +
                           "LeakyRelu, ThresholdedRelu, ScaledTanh, HardSigmoid, Elu, Softsign, Softplus; got '" +
                           std::string(a.string_or("activations", "")) + "'");
    p.acts[k] = {info.kind, alphas[k], betas[k]};
    names = comma == std::string_view::npos ? std::string_view() : names.substr(comma + 1);
    if (k + 1 < count && comma == std::string_view::npos)
      return Status::error("activations has fewer than " + std::to_string(count) + " entries");
  }
  if (!names.empty()) return Status::error("activations has more than " + std::to_string(count) + " entries");
  return Status::ok();
}

std::span<const OpDef> recurrent_op_defs() { return kOps; }

}  // namespace fusedinf
