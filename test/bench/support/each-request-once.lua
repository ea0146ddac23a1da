-- wrk script for bench:transfer: sends each pre-built HTTP/1.1
-- request of a file exactly once (each carries its own SIF_MsgId and RFC
-- 9421 signature, so none may be sent twice). The file holds whole
-- requests, each followed by a NUL byte.
-- Usage: wrk -t1 -cN -dLONG -s each-request-once.lua URL -- FILE
-- wrk runs until its duration is over or it gets SIGINT, which the bench
-- sends once everything has arrived where it measures: wrk then reports its
-- running time up to that moment. Once every request has been answered,
-- the thread stops, so nothing more is sent while the server finishes the
-- work behind its answers (wrk's clock still runs until the SIGINT).
-- wrk cannot leave a connection idle: one that asks for a request after the
-- last was sent gets a GET /healthz, at most one a second; those answers
-- are not counted. done() prints "answered A accepted B": A SIF_Acks came
-- back, B of them with status code 0.
local thread_of_run

function setup(thread)
  thread_of_run = thread
end

function init(args)
  local file = assert(io.open(args[1], "rb"))
  local all = file:read("*a")
  file:close()
  requests = {}
  local from = 1
  while true do
    local nul = all:find("\0", from, true)
    if not nul then break end
    requests[#requests + 1] = all:sub(from, nul - 1)
    from = nul + 1
  end
  idle = wrk.format("GET", "/healthz")
  sent, answered, accepted = 0, 0, 0
  verified = false
end

function request()
  -- wrk calls request() once before the run to check what it returns: that call must not use up a request.
  if not verified then
    verified = true
    return idle
  end
  if sent >= #requests then return idle end
  sent = sent + 1
  return requests[sent]
end

-- In milliseconds, before each request: none while requests remain.
function delay()
  if sent >= #requests then return 1000 end
  return 0
end

function response(status, headers, body)
  if not body:find("SIF_Ack", 1, true) then return end
  answered = answered + 1
  if status == 200 and (body:find("<SIF_Code>0</SIF_Code>", 1, true) or body:find('"SIF_Code":"0"', 1, true)) then
    accepted = accepted + 1
  end
  if answered == #requests then wrk.thread:stop() end
end

function done(summary, latency, requests)
  io.write(string.format("answered %d accepted %d\n", thread_of_run:get("answered"), thread_of_run:get("accepted")))
end
