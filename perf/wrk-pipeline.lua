-- wrk script: sends 16 requests per write, like TechEmpower's "plaintext" test.
-- wrk counts every response, so requests/s counts each pipelined request.
local depth = 16

init = function(args)
  local one = wrk.format(nil, wrk.path)
  local batch = {}
  for i = 1, depth do batch[i] = one end
  pipelined = table.concat(batch)
end

request = function()
  return pipelined
end
