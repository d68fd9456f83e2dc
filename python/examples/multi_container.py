# SDK: multi-container applications (the seed's program).
# Changed: image 'debian' -> 'busybox', which this machine has; its /native/usr/bin/wget
# (undocumented, not in busybox) -> nc plus sed to drop the response headers.
from tfnz.location import Location

node = Location(debug_log=False).best_node()
preboot = {'/usr/share/nginx/html/index.html': 'Hi!'}
server_container = node.spawn('nginx', pre_boot_files=preboot)
client_container = node.spawn('busybox', sleep=True)
test_cmd = "printf 'GET / HTTP/1.0\\r\\n\\r\\n' | nc -w 1 " + \
            server_container.ip() + " 80 | sed '1,/^\\r$/d'"

reply = client_container.spawn_process(test_cmd).wait_until_complete()
print("Before -->" + reply.decode())

server_container.allow_connection_from(client_container)
reply = client_container.spawn_process(test_cmd).wait_until_complete()
print("After -->" + reply.decode())
