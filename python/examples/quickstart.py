# SDK: quickstart (first container) (the seed's program).
import signal
from tfnz.location import Location

location = Location(debug_log=False)
node = location.best_node()
container = node.spawn('nginx')
container.attach_browser()
signal.pause()
