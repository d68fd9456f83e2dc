# Additional Processes: asynchronously (the seed's program).
import time
from tfnz.location import Location

def dc(obj, data):
    print(data.decode(), end='')

def tc(obj):
    print("vmstat terminated")

def sleep_tc(obj):
    print("---sleep terminated---")

node = Location().best_node()
container = node.spawn_container('nginx')
vmstat = container.spawn_process('/sbin/vmstat 1',
                                 data_callback=dc, termination_callback=tc)
sleep = container.spawn_process('/bin/sleep 3',
                                termination_callback=sleep_tc)
time.sleep(10)
container.destroy_process(vmstat)  # just so we get the callback
