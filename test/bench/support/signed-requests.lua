-- wrk script for bench:router-auth: every request carries its own pre-signed
-- headers (RFC 9421), read from a file with one request per line:
--   Signature-Input <TAB> Signature <TAB> Content-Digest
-- Usage: wrk ... -s signed-requests.lua URL -- FILE THREADS
-- Each wrk thread takes every THREADS-th line, so no two threads send one nonce.
local next_id = 0

function setup(thread)
  thread:set("id", next_id)
  next_id = next_id + 1
end

function init(args)
  local threads = tonumber(args[2])
  requests = {}
  local n = 0
  for line in io.lines(args[1]) do
    if n % threads == id then
      local input, signature, digest = line:match("([^\t]*)\t([^\t]*)\t([^\t]*)")
      requests[#requests + 1] = wrk.format("GET", "/v1/status", {
        ["Signature-Input"] = input,
        ["Signature"] = signature,
        ["Content-Digest"] = digest,
      })
    end
    n = n + 1
  end
  sent = 0
end

function request()
  sent = sent + 1
  return requests[((sent - 1) % #requests) + 1]
end
