-- wrk script: every request registers a distinct APNs token under a distinct installation.
-- Each wrk thread gets its own prefix so threads never repeat one another.
counter = 0
prefix = 0 -- replaced per thread by setup()
local threads = {}

function setup(thread)
  thread:set("prefix", #threads + 1)
  table.insert(threads, thread)
end

function init(args)
  key = os.getenv("PERCH_BENCH_KEY")
end

request = function()
  counter = counter + 1
  local token = string.format("%08x%056x", prefix, counter)
  local body = string.format(
    '{"platform":"apns","token":"%s","installationId":"bench-%d-%d","consent":"granted","timezone":"Europe/Berlin","locale":"en-US","appVersion":"1.0.0"}',
    token, prefix, counter)
  return wrk.format("POST", "/v1/tokens", {["Authorization"] = "Bearer " .. key, ["Content-Type"] = "application/json"}, body)
end
