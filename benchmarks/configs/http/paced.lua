-- wrk script for the paced load of 07-resource-cost.sh: every connection waits
-- BENCH_PACED_DELAY_MS milliseconds before each request, so C connections send about
-- C * 1000 / (delay + latency) requests per second whatever the proxy could take (wrk2's fixed
-- rate is not in Debian; the script reports the rate actually served).
local pause = tonumber(os.getenv("BENCH_PACED_DELAY_MS") or "10")

function delay()
  return pause
end
