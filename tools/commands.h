// The subcommands of the `fusedinf` tool. Each adds itself to the CLI11 app; its callback
// stores the process exit code in `exit_code` (0 success, 1 failure/mismatch, 2 usage).
#pragma once

#include <CLI/CLI.hpp>

namespace fusedinf::tools {

void add_import_command(CLI::App& app, int& exit_code);
void add_inspect_command(CLI::App& app, int& exit_code);
void add_run_command(CLI::App& app, int& exit_code);
void add_ops_command(CLI::App& app, int& exit_code);
void add_conformance_command(CLI::App& app, int& exit_code);
void add_fuse_command(CLI::App& app, int& exit_code);
void add_pool_command(CLI::App& app, int& exit_code);
void add_backends_command(CLI::App& app, int& exit_code);

}  // namespace fusedinf::tools
