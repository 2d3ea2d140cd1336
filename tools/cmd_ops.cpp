// fusedinf ops: the ONNX ops the importer accepts, with their opset ranges.
#include <cstdio>
#include <map>

#include "importer/convert_context.h"
#include "tools/commands.h"

namespace fusedinf::tools {

void add_ops_command(CLI::App& app, int&) {
  CLI::App* cmd = app.add_subcommand("ops", "List the accepted ONNX ops and their opset ranges");
  cmd->callback([] {
    std::map<std::string, std::vector<std::pair<int, int>>> ranges;
    for (const importer::OnnxConverter* c : importer::all_converters())
      ranges[std::string(c->onnx_op)].emplace_back(c->since_opset, c->until_opset);
    for (auto& [op, list] : ranges) {
      std::sort(list.begin(), list.end());
      // Merge adjacent ranges of different converters into one span.
      std::string text;
      int lo = list[0].first, hi = list[0].second;
      auto flush = [&] { text += (text.empty() ? "" : ", ") + std::to_string(lo) + "-" + std::to_string(hi); };
      for (size_t i = 1; i < list.size(); ++i) {
        if (list[i].first <= hi + 1) {
          hi = std::max(hi, list[i].second);
        } else {
          flush();
          lo = list[i].first;
          hi = list[i].second;
        }
      }
      flush();
      std::printf("%-24s opset %s\n", op.c_str(), text.c_str());
    }
  });
}

}  // namespace fusedinf::tools
