// fusedinf backends [--require NAME]: the backends this build has and whether each can be used
// here. With --require, exits 77 (the "skipped" code of ctest and automake) when NAME cannot.
#include <cstdio>

#include "runtime/backend.h"
#include "tools/commands.h"

namespace fusedinf::tools {

void add_backends_command(CLI::App& app, int& exit_code) {
  auto required = std::make_shared<std::string>();
  CLI::App* cmd = app.add_subcommand("backends", "List the backends of this build and whether each is usable");
  cmd->add_option("--require", *required, "Exit 77 unless this backend is usable");
  cmd->callback([required, &exit_code] {
    for (std::string_view name : built_backends()) {
      const bool usable = backend_available(name);
      std::printf("%-6s %s\n", std::string(name).c_str(), usable ? "usable" : "not usable here");
    }
    if (required->empty()) return;
    if (!backend_available(*required)) {
      Result<std::unique_ptr<Backend>> why = make_backend(*required);
      std::printf("skipped: %s\n", why.is_ok() ? "not usable" : why.status().message().c_str());
      exit_code = 77;
    }
  });
}

}  // namespace fusedinf::tools
