# Additional Processes: launching a shell (the seed's program).
import time
import sys
from tfnz.location import Location


def dc(obj, data):
    print(data.decode(), end='')
    sys.stdout.flush()


node = Location().best_node()
container = node.spawn_container('alpine', sleep=True).wait_until_ready()
shell = container.spawn_shell(data_callback=dc)
time.sleep(2)
shell.stdin(b'ps faxu\n')
time.sleep(1)
