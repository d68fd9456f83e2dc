# SDK: quickstart (Docker workflow, last_image) (the seed's program).
import signal
from tfnz.location import Location, last_image

location = Location(debug_log=False)
node = location.best_node()
container = node.spawn(last_image())
container.attach_browser()
signal.pause()
