# Advanced Spawning: rebooting (the seed's program).
from tfnz.location import Location

node = Location().ranked_nodes()[0]
container = node.spawn_container('nginx')
container.put("/usr/new/path", b'Some data')
print(container.fetch("/usr/new/path"), flush=True)

container.reboot()
print(container.fetch("/usr/new/path"), flush=True)

container.reboot(reset_filesystem=True)
try:
    container.fetch("/usr/new/path")
except ValueError:
    pass
