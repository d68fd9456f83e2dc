# Advanced Spawning: concurrent booting, asynchronously (the seed's program).
# Changed: image '337c501c333c' (a Mezzanine stack) -> 'nginx', which this machine has.
import logging
from tfnz.location import Location

location = Location()
location.ensure_image_uploaded('nginx')
containers = []
logging.info("-----Starting")
for n in range(0, 10):
    container = location.ranked_nodes()[0].spawn('nginx', no_image_check=True)
    containers.append(container)
for container in containers:
    container.wait_http_200(fqdn="www.atomicdroplet.com")
logging.info("-----Finished")
