# SDK: a special case for webservers (the seed's program).
import signal
from tfnz.location import Location, last_image

location = Location(debug_log=False)
container = location.best_node().spawn('nginx')
tnl = container.attach_browser()
signal.pause()
