# Additional Processes: synchronously (the seed's program).
# Changed: one line added (node = location): the seed names the node 'location', then uses 'node'.
from tfnz.location import Location

location = Location().best_node()
node = location
container = node.spawn_container('nginx')
container.wait_http_200()
data = container.spawn_process('/bin/ps faxu').wait_until_complete()
print(data.decode())
