# SDK: interacting with processes (the seed's program).
# Changed: /bin/bash -> /bin/sh: the test images are busybox, which has no bash.
from tfnz.location import Location

location = Location(debug_log=False)
container = location.best_node().spawn('nginx')
shell = container.spawn_process('/bin/sh')
reply = shell.stdin("ps faxu\n".encode(), return_reply=True, drop_echo=True)
print(reply.decode())
