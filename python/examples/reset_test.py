# Deploying to Production: reset for unit tests (the seed's program).
from tfnz.location import Location


node = Location().best_node()
ctr = node.spawn_container('nginx')
ctr.put('/usr/share/nginx/html/index.html', b'A big mess from a unit test')
assert ctr.fetch('/usr/share/nginx/html/index.html') == b'A big mess from a unit test'
ctr.reboot(reset_filesystem=True)
assert b'nginx' in ctr.fetch('/usr/share/nginx/html/index.html')
