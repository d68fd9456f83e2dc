# Additional Processes: interacting with processes (the seed's program).
# Changed: /bin/bash -> /bin/sh: the test images are busybox, which has no bash.
from tfnz.location import Location

location = Location()
container = location.best_node().spawn_container('nginx')
shell = container.spawn_process('/bin/sh')
reply = shell.stdin("/bin/ps faxu\n".encode(), return_reply=True, drop_echo=True)
print(reply.decode())
