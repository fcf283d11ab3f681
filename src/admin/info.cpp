// Owns: INFO's section selection, the section table, the text renderer, and CONFIG RESETSTAT's
// counter reset (see info.h). Must not touch: sockets, the keyspace's internals.
// Thread: the event loop.
#include "stashd/admin/info.h"

#include <array>

#include "admin/info_sections.h"
#include "stashd/admin/stats_sampler.h"
#include "stashd/command/node_state.h"
#include "stashd/common/strings.h"

namespace stashd {

namespace {

struct SectionRow {
  InfoSection section;
  std::string_view name;
  std::string_view title;
  void (*produce)(NodeState&, info::Fields&);  // nullptr: a section with no fields (modules)
  bool in_default;
};

constexpr std::array<SectionRow, kInfoSectionCount> kSections = {{
    {InfoSection::kServer, "server", "Server", info::server_section, true},
    {InfoSection::kClients, "clients", "Clients", info::clients_section, true},
    {InfoSection::kMemory, "memory", "Memory", info::memory_section, true},
    {InfoSection::kPersistence, "persistence", "Persistence", info::persistence_section, true},
    {InfoSection::kStats, "stats", "Stats", info::stats_section, true},
    {InfoSection::kReplication, "replication", "Replication", info::replication_section, true},
    {InfoSection::kCpu, "cpu", "CPU", info::cpu_section, true},
    {InfoSection::kModules, "modules", "Modules", nullptr, true},
    {InfoSection::kCommandstats, "commandstats", "Commandstats", info::commandstats_section, false},
    {InfoSection::kErrorstats, "errorstats", "Errorstats", info::errorstats_section, true},
    {InfoSection::kCluster, "cluster", "Cluster", info::cluster_section, true},
    {InfoSection::kKeyspace, "keyspace", "Keyspace", info::keyspace_section, true},
}};

const SectionRow& row(InfoSection section) { return kSections[static_cast<size_t>(section)]; }

class TextSink final : public InfoSink {
 public:
  void begin_section(InfoSection section) override {
    if (!text.empty()) text.append("\r\n");
    text.append("# ").append(row(section).title).append("\r\n");
  }
  void field(std::string_view name, std::string_view value) override {
    text.append(name).append(":").append(value).append("\r\n");
  }
  std::string text;
};

void reset_command_stats(Command& cmd) {
  cmd.calls = cmd.usec = cmd.rejected_calls = cmd.failed_calls = 0;
  for (auto& sub : cmd.subcommands) reset_command_stats(*sub);
}

}  // namespace

void info::Fields::metric(MetricId id, NodeState& node) {
  const MetricDecl& decl = stashd::metric(id);
  const int64_t value = decl.value(source(node));
  if (decl.info_format == InfoFormat::kOkErr) {
    add(decl.info_field, value != 0 ? "ok" : "err");
  } else {
    add(decl.info_field, value);
  }
}

std::string_view info_section_title(InfoSection section) { return row(section).title; }
std::string_view info_section_name(InfoSection section) { return row(section).name; }

InfoSelection InfoSelection::defaults() {
  InfoSelection s;
  for (const SectionRow& r : kSections) {
    if (r.in_default) s.add(r.section);
  }
  return s;
}

InfoSelection InfoSelection::all() {
  InfoSelection s;
  for (const SectionRow& r : kSections) s.add(r.section);
  return s;
}

InfoSelection InfoSelection::parse(std::span<const std::string_view> args) {
  if (args.empty()) return defaults();
  InfoSelection s;
  for (std::string_view arg : args) {
    // "everything" adds module-generated sections to "all"; stashd has none, so they are equal.
    if (iequals(arg, "all") || iequals(arg, "everything")) {
      s.bits_ |= all().bits_;
    } else if (iequals(arg, "default")) {
      s.bits_ |= defaults().bits_;
    } else {
      for (const SectionRow& r : kSections) {
        if (iequals(arg, r.name)) s.add(r.section);
      }
    }
  }
  return s;
}

void collect_info(NodeState& node, const InfoSelection& selection, InfoSink& sink) {
  info::Fields fields(sink);
  for (const SectionRow& r : kSections) {
    if (!selection.has(r.section)) continue;
    sink.begin_section(r.section);
    if (r.produce != nullptr) r.produce(node, fields);
  }
}

std::string render_info(NodeState& node, const InfoSelection& selection) {
  TextSink sink;
  collect_info(node, selection, sink);
  return std::move(sink.text);
}

void reset_info_stats(NodeState& node) {
  node.stats() = ServerStats{};
  node.keyspace().stats() = KeyspaceStats{};
  node.keyspace().lazy_free().reset_stats();
  for (Command* cmd : node.commands().all()) reset_command_stats(*cmd);
  SampledStats& sampled = sampled_stats(node);
  sampled.ops.reset();
  sampled.net_input.reset();
  sampled.net_output.reset();
  sampled.expired_stale_perc = 0;
}

}  // namespace stashd
