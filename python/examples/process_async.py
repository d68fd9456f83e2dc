# SDK: launching processes, asynchronously (the seed's program).
import time
from tfnz.location import Location

def dc(obj, data):
    print(data.decode(), end='')

def tc(obj):
    print("vmstat terminated")

def sleep_tc(obj):
    print("---sleep terminated---")

location = Location(debug_log=False)
container = location.best_node().spawn('nginx')
vmstat = container.spawn_process('vmstat 1', data_callback=dc, termination_callback=tc)
sleep = container.spawn_process('sleep 3', termination_callback=sleep_tc)
time.sleep(10)
container.destroy_process(vmstat)  # just so we get the termination callback
