#include "tools/conformance.h"

#include <poll.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cstring>
#include <filesystem>
#include <map>
#include <optional>
#include <variant>

#include "importer/model_info.h"
#include "importer/onnx_importer.h"
#include "kernels/cpu/cpu_kernels.h"
#include "runtime/session.h"
#include "tools/tensor_io.h"

namespace fusedinf::tools {

namespace fs = std::filesystem;

const char* outcome_name(CaseOutcome outcome) {
  switch (outcome) {
    case CaseOutcome::kPassed:
      return "passed";
    case CaseOutcome::kFailed:
      return "failed";
    case CaseOutcome::kUnsupported:
      return "unsupported";
  }
  return "?";
}

std::vector<std::string> find_conformance_cases(const std::vector<std::string>& roots) {
  std::vector<std::string> cases;
  auto is_case = [](const fs::path& dir) {
    if (!fs::is_regular_file(dir / "model.onnx")) return false;
    std::error_code ec;
    for (const auto& entry : fs::directory_iterator(dir, ec))
      if (entry.is_directory() && entry.path().filename().string().rfind("test_data_set_", 0) == 0) return true;
    return false;
  };
  for (const std::string& root : roots) {
    std::error_code ec;
    if (is_case(root)) {
      cases.push_back(fs::path(root).lexically_normal().string());
      continue;
    }
    for (auto it = fs::recursive_directory_iterator(root, fs::directory_options::skip_permission_denied, ec);
         it != fs::recursive_directory_iterator(); it.increment(ec)) {
      if (ec) break;
      if (it->is_directory() && is_case(it->path())) cases.push_back(it->path().lexically_normal().string());
    }
  }
  std::sort(cases.begin(), cases.end());
  cases.erase(std::unique(cases.begin(), cases.end()), cases.end());
  return cases;
}

namespace {

// Reads prefix_0.pb, prefix_1.pb, ... until one is missing.
Result<std::vector<HostTensor>> read_numbered(const fs::path& dir, const std::string& prefix) {
  std::vector<HostTensor> tensors;
  for (int i = 0;; ++i) {
    const fs::path file = dir / (prefix + "_" + std::to_string(i) + ".pb");
    if (!fs::exists(file)) break;
    FI_ASSIGN_OR_RETURN(HostTensor t, importer::read_tensor_pb_file(file.string()));
    tensors.push_back(std::move(t));
  }
  return tensors;
}

// Runs one case in this process.
CaseResult run_case_in_process(const std::string& case_dir, const ConformanceOptions& options) {
  CaseResult result{fs::path(case_dir).filename().string(), case_dir, CaseOutcome::kFailed, ""};
  auto finish = [&](CaseOutcome outcome, const std::string& reason) {
    result.outcome = outcome;
    result.reason = reason;
    return result;
  };
  const std::string model_path = (fs::path(case_dir) / "model.onnx").string();
  Result<importer::OnnxModelInfo> info = importer::read_onnx_model_info(model_path);
  if (!info.is_ok()) return finish(CaseOutcome::kUnsupported, info.status().message());
  std::vector<fs::path> data_sets;
  for (const auto& entry : fs::directory_iterator(case_dir))
    if (entry.is_directory() && entry.path().filename().string().rfind("test_data_set_", 0) == 0)
      data_sets.push_back(entry.path());
  std::sort(data_sets.begin(), data_sets.end());
  std::unique_ptr<Backend> backend;  // made once the first data set needs it; outlives the sessions
  for (const fs::path& data_set : data_sets) {
    const std::string where = data_set.filename().string() + ": ";
    Result<std::vector<HostTensor>> inputs = read_numbered(data_set, "input");
    Result<std::vector<HostTensor>> outputs = read_numbered(data_set, "output");
    // Test data fusedinf cannot represent (other dtypes, sequences) makes the case unsupported.
    if (!inputs.is_ok()) return finish(CaseOutcome::kUnsupported, where + "test data: " + inputs.status().message());
    if (!outputs.is_ok()) return finish(CaseOutcome::kUnsupported, where + "test data: " + outputs.status().message());
    if (inputs->size() != info->inputs.size())
      return finish(CaseOutcome::kUnsupported, where + "test data has " + std::to_string(inputs->size()) +
                                                   " inputs, the model " + std::to_string(info->inputs.size()));
    if (outputs->size() > info->outputs.size())
      return finish(CaseOutcome::kFailed, where + "more expected outputs than model outputs");
    std::map<std::string, HostTensor> named_inputs;
    for (size_t i = 0; i < inputs->size(); ++i) {
      (*inputs)[i].name = info->inputs[i];
      named_inputs[info->inputs[i]] = (*inputs)[i];
    }
    importer::ImportOptions import_options;
    import_options.evaluator = cpu::run_cpu_node;
    import_options.static_inputs = named_inputs;
    Result<Graph> graph = importer::import_onnx_file(model_path, import_options);
    if (!graph.is_ok()) return finish(CaseOutcome::kUnsupported, graph.status().message());
    if (!backend) {
      Result<std::unique_ptr<Backend>> made = make_backend(options.backend);
      if (!made.is_ok()) return finish(CaseOutcome::kFailed, made.status().message());
      backend = std::move(*made);
    }
    Result<Session> session = Session::create(*backend, std::move(*graph));
    // The importer accepted the model, so the CPU runs it: any other backend must as well.
    if (!session.is_ok())
      return finish(backend->name() == "cpu" ? CaseOutcome::kUnsupported : CaseOutcome::kFailed,
                    session.status().message());
    std::map<std::string, HostTensor> feed;  // frozen inputs are no longer graph inputs
    for (const GraphIo& io : session->graph().inputs) {
      auto it = named_inputs.find(io.name);
      if (it == named_inputs.end()) return finish(CaseOutcome::kFailed, where + "no data for input '" + io.name + "'");
      feed[io.name] = it->second;
    }
    Result<std::vector<HostTensor>> got = session->run(feed);
    if (!got.is_ok()) return finish(CaseOutcome::kFailed, where + got.status().message());
    for (size_t i = 0; i < outputs->size(); ++i) {
      HostTensor& want = (*outputs)[i];
      want.name = info->outputs[i];
      auto match = std::find_if(got->begin(), got->end(), [&](const HostTensor& t) { return t.name == want.name; });
      if (match == got->end()) return finish(CaseOutcome::kFailed, where + "output '" + want.name + "' missing");
      Status close = check_all_close(*match, want, options.rtol, options.atol);
      if (!close.is_ok()) return finish(CaseOutcome::kFailed, where + close.message());
    }
  }
  if (data_sets.empty()) return finish(CaseOutcome::kUnsupported, "no test data sets");
  return finish(CaseOutcome::kPassed, "");
}

}  // namespace

namespace {

// A case running in a child process, reporting "<outcome digit><reason>" through a pipe.
struct RunningCase {
  std::string case_dir;
  pid_t pid = -1;
  int fd = -1;  // read end of the pipe
  std::string message;
};

// Starts `case_dir` in a child; when fork or pipe fails, runs it here and returns its result.
std::variant<RunningCase, CaseResult> start_case(const std::string& case_dir, const ConformanceOptions& options) {
  int fds[2];
  if (pipe(fds) != 0) return run_case_in_process(case_dir, options);
  std::fflush(nullptr);
  const pid_t pid = fork();
  if (pid < 0) {
    close(fds[0]);
    close(fds[1]);
    return run_case_in_process(case_dir, options);
  }
  if (pid == 0) {  // child
    close(fds[0]);
    alarm(static_cast<unsigned>(options.timeout_s));
    CaseResult r = run_case_in_process(case_dir, options);
    std::string message = std::to_string(static_cast<int>(r.outcome)) + r.reason;
    size_t written = 0;
    while (written < message.size()) {
      ssize_t n = write(fds[1], message.data() + written, message.size() - written);
      if (n <= 0) break;
      written += static_cast<size_t>(n);
    }
    close(fds[1]);
    _exit(0);
  }
  close(fds[1]);
  return RunningCase{case_dir, pid, fds[0], {}};
}

// Reads what is available; true once the child closed its end (then call finish_case).
bool read_case_output(RunningCase& c) {
  char buf[4096];
  const ssize_t n = read(c.fd, buf, sizeof buf);
  if (n > 0) {
    c.message.append(buf, static_cast<size_t>(n));
    return false;
  }
  if (n < 0 && errno == EINTR) return false;
  return true;
}

// Reaps the child and turns its report (or its death) into a result.
CaseResult finish_case(RunningCase& c, const ConformanceOptions& options) {
  close(c.fd);
  int wstatus = 0;
  while (waitpid(c.pid, &wstatus, 0) < 0 && errno == EINTR) {
  }
  CaseResult r{fs::path(c.case_dir).filename().string(), c.case_dir, CaseOutcome::kFailed, ""};
  if (WIFSIGNALED(wstatus)) {
    const int sig = WTERMSIG(wstatus);
    r.reason = sig == SIGALRM ? "timed out after " + std::to_string(options.timeout_s) + " s"
                              : "crashed with signal " + std::to_string(sig) + " (" + strsignal(sig) + ")";
    return r;
  }
  if (c.message.empty() || !WIFEXITED(wstatus) || WEXITSTATUS(wstatus) != 0) {
    r.reason = "the case process ended without a result (exit status " +
               std::to_string(WIFEXITED(wstatus) ? WEXITSTATUS(wstatus) : -1) + ")";
    return r;
  }
  r.outcome = static_cast<CaseOutcome>(c.message[0] - '0');
  r.reason = c.message.substr(1);
  return r;
}

}  // namespace

CaseResult run_conformance_case(const std::string& case_dir, const ConformanceOptions& options) {
  std::vector<CaseResult> results = run_conformance_cases({case_dir}, options, 1);
  return results.front();
}

std::vector<CaseResult> run_conformance_cases(const std::vector<std::string>& case_dirs,
                                              const ConformanceOptions& options, int jobs,
                                              const std::function<void(const CaseResult&)>& on_result) {
  jobs = std::max(jobs, 1);
  std::vector<std::optional<CaseResult>> results(case_dirs.size());
  std::vector<std::pair<size_t, RunningCase>> running;  // (index into case_dirs, child)
  size_t next = 0;
  auto record = [&](size_t index, CaseResult r) {
    if (on_result) on_result(r);
    results[index] = std::move(r);
  };
  while (next < case_dirs.size() || !running.empty()) {
    while (next < case_dirs.size() && running.size() < static_cast<size_t>(jobs)) {
      auto started = start_case(case_dirs[next], options);
      if (auto* c = std::get_if<RunningCase>(&started))
        running.emplace_back(next, std::move(*c));
      else
        record(next, std::get<CaseResult>(std::move(started)));
      ++next;
    }
    if (running.empty()) continue;
    std::vector<pollfd> fds;
    for (const auto& [index, c] : running) fds.push_back(pollfd{c.fd, POLLIN, 0});
    if (poll(fds.data(), fds.size(), -1) < 0 && errno != EINTR) {
      // poll itself failed: finish the running cases one at a time with blocking reads.
      for (auto& pfd : fds) pfd.revents = POLLIN;
    }
    for (size_t k = running.size(); k-- > 0;) {
      if (!(fds[k].revents & (POLLIN | POLLHUP | POLLERR))) continue;
      auto& [index, c] = running[k];
      if (!read_case_output(c)) continue;
      record(index, finish_case(c, options));
      running.erase(running.begin() + static_cast<std::ptrdiff_t>(k));
    }
  }
  std::vector<CaseResult> out;
  for (auto& r : results) out.push_back(std::move(*r));
  return out;
}

}  // namespace fusedinf::tools
