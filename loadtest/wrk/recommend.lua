-- wrk script: POST /recommend with a 784-float context (Fashion-MNIST sized).
--   wrk -t2 -c16 -d30s -s loadtest/wrk/recommend.lua http://localhost:8080
-- wrk is closed-loop: under overload it waits for answers before sending more, so its percentiles
-- understate latency; the loadtest http command measures open-loop.
math.randomseed(7)
local bodies = {}
for b = 1, 50 do
  local values = {}
  for i = 1, 784 do
    if math.random() < 0.5 then values[i] = "0" else values[i] = string.format("%.3f", math.random()) end
  end
  bodies[b] = '{"policy":"default","context":[' .. table.concat(values, ",") .. ']}'
end
local n = 0
request = function()
  n = n + 1
  return wrk.format("POST", "/recommend", {["Content-Type"] = "application/json"}, bodies[(n % 50) + 1])
end
