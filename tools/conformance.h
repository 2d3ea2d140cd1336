// The ONNX backend-test runner: a case is a folder with model.onnx and test_data_set_*/
// (input_N.pb, output_N.pb). Each case runs in a child process, so a crash is reported as
// a failed case rather than ending the run; several children may run at once.
#pragma once

#include <functional>
#include <string>
#include <vector>

namespace fusedinf::tools {

enum class CaseOutcome { kPassed, kFailed, kUnsupported };

struct CaseResult {
  std::string name;  // folder name
  std::string path;
  CaseOutcome outcome = CaseOutcome::kFailed;
  std::string reason;  // why it failed or was refused; empty when passed
};

struct ConformanceOptions {
  double rtol = 1e-3;  // ONNX's backend-test defaults
  double atol = 1e-7;
  int timeout_s = 600;
  // Backend of the runs (made in each case's child process, never in the parent, so that
  // the CUDA driver is not initialised before a fork).
  std::string backend = "cpu";
};

// Every case folder under `roots` (recursively), sorted by path.
std::vector<std::string> find_conformance_cases(const std::vector<std::string>& roots);

CaseResult run_conformance_case(const std::string& case_dir, const ConformanceOptions& options);
// Runs every case, up to `jobs` child processes at a time; results in the order of
// `case_dirs`. `on_result` (optional) sees each result as it completes, in completion order.
std::vector<CaseResult> run_conformance_cases(const std::vector<std::string>& case_dirs,
                                              const ConformanceOptions& options, int jobs,
                                              const std::function<void(const CaseResult&)>& on_result = {});

const char* outcome_name(CaseOutcome outcome);

}  // namespace fusedinf::tools
