-- wrk script: each request asks for one of many distinct 4 KB files at random. bench.py creates
-- many/f00000.html .. many/f99999.html and passes how many to pick from (after `--`, default
-- 10,000). The files are in the page cache: this measures finding and opening files, not the
-- disk. With 10,000, the servers' file caches can hold them all (ringhttpd's open-file cache
-- keeps 10,000 per thread, nginx's open_file_cache as configured in peers/, lighttpd's stat
-- cache); with 100,000 they miss almost every time, and each request opens, stats and reads.
local count = 10000

init = function(args)
  count = tonumber(args[1]) or count
  math.randomseed(os.time() + tonumber(tostring({}):sub(8), 16))
end

request = function()
  return wrk.format(nil, string.format("/many/f%05d.html", math.random(0, count - 1)))
end
