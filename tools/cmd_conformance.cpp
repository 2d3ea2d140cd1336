// fusedinf conformance DIR... [--json FILE] [--verbose] [--rtol R] [--atol A] [--min-passed N]
//                      [--backend cpu|cuda|auto] [--jobs N]
// Exits 1 when any case failed (a wrong result or a crash); unsupported cases do not fail.
#include <cstdio>
#include <fstream>
#include <nlohmann/json.hpp>

#include "tools/commands.h"
#include "tools/conformance.h"

namespace fusedinf::tools {

void add_conformance_command(CLI::App& app, int& exit_code) {
  struct Args {
    std::vector<std::string> roots;
    std::string json_path;
    bool verbose = false;
    int min_passed = 0;
    int jobs = 1;
    ConformanceOptions options;
  };
  auto args = std::make_shared<Args>();
  CLI::App* cmd = app.add_subcommand("conformance", "Run ONNX backend test cases (model.onnx + test_data_set_*)");
  cmd->add_option("dirs", args->roots, "Folders to search for cases")->required()->check(CLI::ExistingDirectory);
  cmd->add_option("--json", args->json_path, "Write counts and one entry per case as JSON");
  cmd->add_flag("-v,--verbose", args->verbose, "Also list passed cases");
  cmd->add_option("--rtol", args->options.rtol, "Relative tolerance (ONNX default 1e-3)");
  cmd->add_option("--atol", args->options.atol, "Absolute tolerance (ONNX default 1e-7)");
  cmd->add_option("--timeout", args->options.timeout_s, "Seconds per case");
  cmd->add_option("--backend", args->options.backend, "cpu (default), cuda or auto");
  cmd->add_option("-j,--jobs", args->jobs, "Cases run at once, each in its own process (default 1)")
      ->check(CLI::Range(1, 256));
  cmd->add_option("--min-passed", args->min_passed, "Also exit 1 when fewer cases pass (a regression guard)");
  cmd->callback([args, &exit_code] {
    const std::vector<std::string> cases = find_conformance_cases(args->roots);
    int counts[3] = {0, 0, 0};
    nlohmann::json entries = nlohmann::json::array();
    const std::vector<CaseResult> results =
        run_conformance_cases(cases, args->options, args->jobs, [&](const CaseResult& r) {
          if (r.outcome != CaseOutcome::kPassed || args->verbose)
            std::printf("%-11s %s%s%s\n", outcome_name(r.outcome), r.path.c_str(), r.reason.empty() ? "" : ": ",
                        r.reason.c_str());
        });
    for (const CaseResult& r : results) {
      ++counts[static_cast<int>(r.outcome)];
      entries.push_back(
          {{"name", r.name}, {"path", r.path}, {"result", outcome_name(r.outcome)}, {"reason", r.reason}});
    }
    std::printf("%zu cases: %d passed, %d failed, %d unsupported\n", cases.size(), counts[0], counts[1], counts[2]);
    if (!args->json_path.empty()) {
      nlohmann::json j = {{"passed", counts[0]}, {"failed", counts[1]}, {"unsupported", counts[2]}, {"cases", entries}};
      std::ofstream out(args->json_path);
      out << j.dump(2) << "\n";
      if (!out) {
        std::fprintf(stderr, "error: cannot write '%s'\n", args->json_path.c_str());
        exit_code = 1;
        return;
      }
    }
    if (cases.empty()) {
      std::fprintf(stderr, "error: no test cases (folders with model.onnx and test_data_set_*) found\n");
      exit_code = 1;
      return;
    }
    if (counts[0] < args->min_passed)
      std::fprintf(stderr, "error: %d cases passed, fewer than --min-passed %d\n", counts[0], args->min_passed);
    exit_code = counts[1] > 0 || counts[0] < args->min_passed ? 1 : 0;
  });
}

}  // namespace fusedinf::tools
