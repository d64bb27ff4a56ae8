# app.rb - the Sidekiq app of tests/integration/test_sidekiq.py: its
# setup and its jobs. The test loads it twice over, as an app does: into
# short client scripts (ruby -r app.rb -e ...) that push jobs and read
# Sidekiq's API, and into the worker process (sidekiq -r app.rb).
# The server's URL comes in REDIS_URL. Jobs leave what they did on the
# server, where the test reads it back with redis-py.

require "json"
require "sidekiq"
require "sidekiq/api"
require "sidekiq/scheduled"

Sidekiq.redis = {url: ENV.fetch("REDIS_URL")}
# redis-rb 4.8 warns on stderr about calls that change in 5.0, Sidekiq's
# own among them.
Redis.silence_deprecations = true
Sidekiq.logger.level = Logger::WARN unless ENV["SIDEKIQ_VERBOSE"]

# The scheduled poller moves due jobs from the "schedule" and "retry"
# sets to their queues about every poll_interval_average seconds. Before
# its first poll it sleeps 0-5 s more so that a fleet of processes does
# not poll in step; a test runs one process, so it polls from the start.
Sidekiq.options[:poll_interval_average] = 0.2
module PollAtOnce
  def initial_wait
  end
end
Sidekiq::Scheduled::Poller.prepend(PollAtOnce)

# Notes its run: the time in the hash "ran_at" under its jid, then its
# argument, as JSON, on the list "done".
class RecordJob
  include Sidekiq::Job

  def perform(tag)
    Sidekiq.redis do |c|
      c.hset("ran_at", jid, Time.now.to_f)
      c.rpush("done", JSON.dump(tag))
    end
  end
end

# The same on the "critical" queue.
class UrgentJob < RecordJob
  sidekiq_options queue: "critical"
end

# Fails while the key "broken" exists (a bug not yet fixed), then works.
# One retry, then the dead set.
class FlakyJob < RecordJob
  sidekiq_options retry: 1

  def perform(tag)
    broken = Sidekiq.redis { |c| c.exists?("broken") }
    raise ArgumentError, "still broken: #{tag}" if broken
    super
  end
end

# Always fails, and is not retried.
class DoomedJob
  include Sidekiq::Job
  sidekiq_options retry: false

  def perform
    raise "doomed"
  end
end

# Says it started (its jid on the list "started"), then waits up to 30 s
# for an element on the list "go" before it records its run.
class HoldJob < RecordJob
  def perform(tag)
    Sidekiq.redis do |c|
      c.rpush("started", jid)
      c.blpop("go", timeout: 30)
    end
    super
  end
end

# For the client scripts: prints value as one line of JSON.
def out(value)
  puts JSON.dump(value)
end
