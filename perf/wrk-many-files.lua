-- wrk script: each request asks for one of many distinct 4 KB files at random, so the server's
-- open-file cache (ringhttpd keeps 512 per ring) misses almost every time and each request has
-- to open, stat and read a file. The files are in the page cache: this measures the cost of
-- opening, not of the disk. bench.py creates many/f00000.html .. many/f09999.html.
local count = 10000

init = function(args)
  math.randomseed(os.time() + tonumber(tostring({}):sub(8), 16))
end

request = function()
  return wrk.format(nil, string.format("/many/f%05d.html", math.random(0, count - 1)))
end
