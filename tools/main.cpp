// fusedinf: import, inspect and run models. Every error is a message and a non-zero exit.
#include <cstdio>
#include <exception>

#include "tools/commands.h"

int main(int argc, char** argv) {
  CLI::App app{"fusedinf: a lean inference runtime for many models on small GPUs"};
  app.require_subcommand(1);
  int exit_code = 0;
  fusedinf::tools::add_import_command(app, exit_code);
  fusedinf::tools::add_fuse_command(app, exit_code);
  fusedinf::tools::add_inspect_command(app, exit_code);
  fusedinf::tools::add_run_command(app, exit_code);
  fusedinf::tools::add_ops_command(app, exit_code);
  fusedinf::tools::add_conformance_command(app, exit_code);
  fusedinf::tools::add_pool_command(app, exit_code);
  fusedinf::tools::add_backends_command(app, exit_code);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int code = app.exit(e);
    return code == 0 ? 0 : 2;
  } catch (const std::exception& e) {  // e.g. std::bad_alloc on an absurd input
    std::fprintf(stderr, "error: %s\n", e.what());
    return 1;
  }
  return exit_code;
}
