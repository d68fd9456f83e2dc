# Deploying to Production: the better way (the seed's program).
import signal
from tfnz.location import Location

container = Location().best_node().spawn('nginx')
container.attach_tunnel(80, localport=8080)
signal.pause()
