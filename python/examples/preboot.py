# Advanced Spawning: pre-boot files (the seed's program).
import signal
from tfnz.location import Location

location = Location()
preboot = [('/usr/share/nginx/html/index.html', 'Hello World!')]
container = location.ranked_nodes()[0].spawn_container('nginx', pre_boot_files=preboot)
container.attach_browser()
signal.pause()
