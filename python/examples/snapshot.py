# Deploying to Production: snapshots and rollbacks (the seed's program).
from tfnz.location import Location

node = Location().best_node()
volume = node.create_volume()
container = node.spawn_container('nginx', volumes=[(volume, '/mount/point')])

container.put('/mount/point/test', b'I am a test')
volume.snapshot()
container.put('/mount/point/test', b'I am a carrot')
print(container.fetch('/mount/point/test'))
volume.rollback()
print(container.fetch('/mount/point/test'))

node.destroy_volume(volume)
