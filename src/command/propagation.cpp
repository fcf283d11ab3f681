// Owns: the propagation stream (see propagation.h). Thread: the event loop.
#include "stashd/command/propagation.h"

#include "stashd/common/strings.h"

namespace stashd {

namespace {

// Copies arguments into a reused slot: strings keep their buffers, so no allocation once warm.
template <typename Arg>
void assign_argv(std::vector<std::string>* out, std::span<const Arg> argv) {
  out->resize(argv.size());
  for (size_t i = 0; i < argv.size(); ++i) (*out)[i].assign(argv[i]);
}

}  // namespace

PropagatedCommand& PropagatedUnit::next_slot(int db, uint8_t targets) {
  if (size_ == slots_.size()) slots_.emplace_back();
  PropagatedCommand& c = slots_[size_++];
  c.db = db;
  c.targets = targets;
  return c;
}

PropagatedCommand& PropagatedUnit::add(int db, uint8_t targets) {
  PropagatedCommand& c = next_slot(db, targets);
  c.argv.clear();
  return c;
}

PropagatedCommand& PropagatedUnit::add(int db, uint8_t targets,
                                       std::span<const std::string_view> argv) {
  PropagatedCommand& c = next_slot(db, targets);
  assign_argv(&c.argv, argv);
  return c;
}

PropagatedCommand& PropagatedUnit::add(int db, uint8_t targets, std::span<const std::string> argv) {
  PropagatedCommand& c = next_slot(db, targets);
  assign_argv(&c.argv, argv);
  return c;
}

ArgvBuilder& ArgvBuilder::add(int64_t value) {
  char buf[24];
  return add(std::string_view(buf, format_i64(value, buf)));
}

Propagator::SinkId Propagator::add_sink(PropagationSink sink, uint8_t targets) {
  sinks_.push_back(std::make_unique<Sink>(Sink{++last_id_, targets, std::move(sink)}));
  return last_id_;
}

void Propagator::remove_sink(SinkId id) {
  for (auto& s : sinks_) {
    if (s->id == id) s->removed = true;
  }
  // While a unit is being delivered the vector is being walked: removal waits for the end.
  if (!delivering_) std::erase_if(sinks_, [](const auto& s) { return s->removed; });
}

void Propagator::begin_call(int db) {
  frames_.push_back(Frame{db, staged_.size(), true, false, false, kPropagateAll});
}

void Propagator::end_call(std::span<const std::string_view> argv, bool write_command,
                          bool changed) {
  if (frames_.empty()) return;
  const Frame frame = frames_.back();
  frames_.pop_back();
  if (!frame.suppressed && (frame.forced || (write_command && changed))) commit(frame, argv);
  staged_.truncate(frame.staged_from);
  if (frames_.empty() && !unit_.empty()) {
    deliver(unit_);
    unit_.clear();
  }
}

void Propagator::commit(const Frame& frame, std::span<const std::string_view> argv) {
  if (frame.own_argv) unit_.add(frame.db, frame.targets, argv);
  for (size_t i = frame.staged_from; i < staged_.size(); ++i) {
    // Swapped, not copied: both slots keep a buffer for their next use.
    unit_.add(frame.db, frame.targets).argv.swap(staged_.mutable_at(i).argv);
  }
}

ArgvBuilder Propagator::stage(std::initializer_list<std::string_view> argv) {
  PropagatedCommand& c =
      staged_.add(0, kPropagateAll, std::span<const std::string_view>(argv.begin(), argv.size()));
  return ArgvBuilder(&c.argv);
}

ArgvBuilder Propagator::replace(std::initializer_list<std::string_view> argv) {
  if (frames_.empty()) return {};
  frames_.back().own_argv = false;
  return stage(argv);
}

ArgvBuilder Propagator::add(std::initializer_list<std::string_view> argv) {
  if (frames_.empty()) return {};
  return stage(argv);
}

void Propagator::suppress() {
  if (!frames_.empty()) frames_.back().suppressed = true;
}

void Propagator::force(uint8_t targets) {
  if (frames_.empty()) return;
  frames_.back().forced = true;
  frames_.back().targets = targets;
}

void Propagator::key_removed(int db, std::string_view key, bool lazy) {
  if (!active()) return;
  const std::string_view argv[] = {lazy ? "UNLINK" : "DEL", key};
  removal_.clear();
  removal_.add(db, kPropagateAll, argv);
  deliver(removal_);
}

void Propagator::deliver(const PropagatedUnit& unit) {
  const bool outermost = !delivering_;
  delivering_ = true;
  // Sinks added meanwhile start with the next unit.
  const size_t count = sinks_.size();
  for (size_t i = 0; i < count; ++i) {
    Sink& sink = *sinks_[i];
    if (sink.removed) continue;
    size_t matching = 0;
    for (const PropagatedCommand& c : unit.commands()) matching += (c.targets & sink.targets) != 0;
    if (matching == unit.size()) {
      sink.fn(unit);
    } else if (matching > 0) {
      filtered_.clear();
      for (const PropagatedCommand& c : unit.commands()) {
        if (c.targets & sink.targets) filtered_.add(c.db, c.targets, std::span(c.argv));
      }
      sink.fn(filtered_);
    }
  }
  if (outermost) {
    delivering_ = false;
    std::erase_if(sinks_, [](const auto& s) { return s->removed; });
  }
}

}  // namespace stashd
