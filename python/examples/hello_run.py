# Developing Client Applications: hello world (the seed's program).
from tfnz import *

loc = location.Location()
node = loc.node()
ctr = node.spawn_container('nginx')
ctr.attach_tunnel(80, localport=8080)
loc.run()
