# SDK: launching a shell (the seed's program).
import time
import sys
from tfnz.location import Location

def dc(obj, data):
    print(data.decode(), end='')
    sys.stdout.flush()

location = Location(debug_log=False)
container = location.best_node().spawn('nginx')
time.sleep(2)
shell = container.spawn_shell(dc)
shell.stdin(b'ps faxu')
time.sleep(2)
shell.stdin(b'\n')
time.sleep(2)
