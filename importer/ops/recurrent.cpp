// ONNX LSTM, GRU, RNN (opsets 7 and 14; 14 added layout) -> the IR form of engine/recurrent.h:
// every attribute written, the activation list completed with the spec's defaults, and each
// activation's alpha and beta taken from the lists in order as onnxruntime consumes them (only
// activations that use one take one; onnxruntime's default when a list runs out).
#include "engine/recurrent.h"

#include <string>
#include <vector>

#include "importer/convert_context.h"

namespace fusedinf::importer {

namespace {

Status convert_recurrent(ConvertContext& ctx) {
  RnnKind kind;
  int gates = 0, per_dir = 0;
  if (!rnn_kind_of(ctx.op_type(), &kind, &gates, &per_dir)) return ctx.fail("not a recurrent op");
  if (!ctx.has_input(1) || !ctx.has_input(2)) return ctx.fail("W and R are required");
  Attributes attrs;
  const std::string direction = ctx.attr_string("direction", "forward");
  if (direction != "forward" && direction != "reverse" && direction != "bidirectional")
    return ctx.fail("direction must be forward, reverse or bidirectional, got '" + direction + "'");
  const int dirs = direction == "bidirectional" ? 2 : 1;
  attrs.set("direction", direction);

  const Shape& r = ctx.input_tensor(2).shape;  // [D, G*H, H]
  if (r.size() != 3) return ctx.fail("R must have rank 3, got " + shape_to_string(r));
  attrs.set("hidden_size", ctx.attr_int("hidden_size", r[2]));
  attrs.set("layout", ctx.opset() >= 14 ? ctx.attr_int("layout", 0) : int64_t{0});
  if (ctx.has_attr("clip")) attrs.set("clip", ctx.attr_float("clip", 0.f));
  if (kind == RnnKind::kLstm) attrs.set("input_forget", ctx.attr_int("input_forget", 0));
  if (kind == RnnKind::kGru) attrs.set("linear_before_reset", ctx.attr_int("linear_before_reset", 0));

  static const std::vector<std::string> kDefaults[] = {{"Sigmoid", "Tanh", "Tanh"}, {"Sigmoid", "Tanh"}, {"Tanh"}};
  std::vector<std::string> names = ctx.attr_strings("activations", {});
  if (names.empty())
    for (int d = 0; d < dirs; ++d)
      for (const std::string& n : kDefaults[static_cast<int>(kind)]) names.push_back(n);
  // RNN's schema default lists two (Tanh, Tanh); a forward layer uses the first.
  if (kind == RnnKind::kRnn && dirs == 1 && names.size() == 2) names.resize(1);
  if (static_cast<int>(names.size()) != per_dir * dirs)
    return ctx.fail("activations has " + std::to_string(names.size()) + " entries, expects " +
                    std::to_string(per_dir * dirs) + " (" + std::to_string(per_dir) + " per direction)");
  const std::vector<float> alphas = ctx.attr_floats("activation_alpha", {}),
                           betas = ctx.attr_floats("activation_beta", {});
  size_t next_alpha = 0, next_beta = 0;
  std::string joined;
  std::vector<float> alpha_out, beta_out;
  for (const std::string& name : names) {
    RnnActInfo info;
    if (!rnn_act_info(name, &info)) return ctx.fail("activation '" + name + "' is not supported");
    float alpha = info.default_alpha, beta = info.default_beta;
    if (info.uses_alpha && next_alpha < alphas.size()) alpha = alphas[next_alpha++];
    if (info.uses_beta && next_beta < betas.size()) beta = betas[next_beta++];
    alpha_out.push_back(alpha);
    beta_out.push_back(beta);
    joined += (joined.empty() ? "" : ",") + std::string(info.name);
  }
  attrs.set("activations", joined);
  attrs.set("activation_alpha", alpha_out);
  attrs.set("activation_beta", beta_out);

  const int max_inputs = kind == RnnKind::kLstm ? 8 : 6;
  std::vector<int> inputs;
  for (int i = 0; i < max_inputs; ++i) inputs.push_back(ctx.input(i));
  while (inputs.size() > 3 && inputs.back() < 0) inputs.pop_back();
  for (int i = max_inputs; i < ctx.num_inputs(); ++i)
    if (ctx.has_input(i)) return ctx.fail("has more inputs than the op defines");
  return ctx.emit(ctx.op_type(), inputs, attrs);
}

constexpr OnnxConverter kConverters[] = {
    {"LSTM", 7, 28, convert_recurrent},
    {"GRU", 7, 28, convert_recurrent},
    {"RNN", 7, 28, convert_recurrent},
};

}  // namespace

std::span<const OnnxConverter> recurrent_converters() { return kConverters; }

}  // namespace fusedinf::importer
