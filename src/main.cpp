// Owns: wiring only: parse the command line, load the config, set up logging, build the server and
// run it. Must not touch: anything the modules own. Thread: main (which becomes the event loop).
#include <CLI/CLI.hpp>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "stashd/config/config.h"
#include "stashd/server/hangup_signal.h"
#include "stashd/server/log_file_sink.h"
#include "stashd/server/server.h"

namespace {

spdlog::level::level_enum to_spdlog_level(const std::string& level) {
  if (level == "debug") return spdlog::level::debug;
  if (level == "verbose") return spdlog::level::debug;
  if (level == "warning") return spdlog::level::warn;
  return spdlog::level::info;
}

// Logs to standard output, or to `logfile` through a sink SIGHUP can reopen (returned in *file).
bool setup_logging(const stashd::Config& config, std::shared_ptr<stashd::LogFileSink>* file) {
  std::shared_ptr<spdlog::logger> logger;
  try {
    if (config.logfile.empty()) {
      logger = spdlog::stdout_logger_mt("stashd");
    } else {
      *file = std::make_shared<stashd::LogFileSink>(config.logfile);
      logger = std::make_shared<spdlog::logger>("stashd", *file);
    }
  } catch (const spdlog::spdlog_ex& e) {
    std::fprintf(stderr, "stashd: cannot open logfile '%s': %s\n", config.logfile.c_str(), e.what());
    return false;
  }
  logger->set_pattern("%P %Y-%m-%d %H:%M:%S.%e %^%l%$ %v");
  logger->set_level(to_spdlog_level(config.loglevel));
  logger->flush_on(spdlog::level::info);
  spdlog::set_default_logger(logger);
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"stashd: a Redis-compatible in-memory cache server"};
  app.set_version_flag("--version,-v", std::string("stashd ") + STASHD_VERSION);
  std::string config_file;
  std::string port;
  std::string bind;
  app.add_option("--config,-c", config_file, "YAML config file (see config/stashd.yaml)");
  app.add_option("--port,-p", port, "TCP port to listen on (config: port)");
  app.add_option("--bind,-b", bind, "addresses to listen on, space separated (config: bind)");
  app.allow_extras();
  app.footer(
      "Any config option can be given as --OPTION VALUE (for example --maxclients 100 --hz 20);\n"
      "command-line values override the config file. CONFIG GET * lists every option.");
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  }

  stashd::Config config;
  stashd::ConfigRegistry registry(&config);
  if (!config_file.empty()) {
    if (stashd::Status s = registry.load_file(config_file); !s) {
      std::fprintf(stderr, "stashd: %s\n", s.message().c_str());
      return 1;
    }
  }
  std::vector<std::pair<std::string, std::string>> overrides;
  if (!port.empty()) overrides.emplace_back("port", port);
  if (!bind.empty()) overrides.emplace_back("bind", bind);
  std::vector<std::string> extras = app.remaining();
  for (size_t i = 0; i < extras.size(); ++i) {
    const std::string& arg = extras[i];
    if (arg.rfind("--", 0) != 0 || arg.size() == 2) {
      std::fprintf(stderr, "stashd: unexpected argument '%s' (options are --name value)\n",
                   arg.c_str());
      return 1;
    }
    if (i + 1 >= extras.size()) {
      std::fprintf(stderr, "stashd: option '%s' needs a value\n", arg.c_str());
      return 1;
    }
    overrides.emplace_back(arg.substr(2), extras[++i]);
  }
  for (const auto& [name, value] : overrides) {
    if (stashd::Status s = registry.set(name, value, /*at_startup=*/true); !s) {
      std::fprintf(stderr, "stashd: command line: %s\n", s.message().c_str());
      return 1;
    }
  }

  std::shared_ptr<stashd::LogFileSink> log_file;
  if (!setup_logging(config, &log_file)) return 1;
  registry.on_change("loglevel",
                     [&config] { spdlog::set_level(to_spdlog_level(config.loglevel)); });

  std::string absolute_config;
  if (!config_file.empty()) absolute_config = std::filesystem::absolute(config_file).string();
  std::error_code ec;
  std::string executable = std::filesystem::read_symlink("/proc/self/exe", ec).string();
  stashd::Server server(&config, &registry, absolute_config, executable);
  std::function<void()> reopen_log;
  if (log_file) {
    reopen_log = [log_file] {
      spdlog::info("Received SIGHUP, reopening the log file {}", log_file->path());
      if (stashd::Status s = log_file->reopen(); !s) {
        spdlog::warn("{}; still logging to the old file", s.message());
      } else {
        spdlog::info("Log file reopened");
      }
    };
  }
  stashd::HangupSignal hangup(server.io_context(), std::move(reopen_log));
  spdlog::info("stashd {} starting: pid={}, port={}, config={}", STASHD_VERSION, getpid(),
               config.port, absolute_config.empty() ? "(none, defaults)" : absolute_config);
  if (stashd::Status s = server.listen(); !s) {
    spdlog::error("{}", s.message());
    return 1;
  }
  return server.run();
}
