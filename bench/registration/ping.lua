-- wrk script for the ceiling: the same request size against a trivial route.
local body = string.rep("x", 160)
request = function()
  return wrk.format("POST", "/ping", {["Content-Type"] = "application/json"}, body)
end
