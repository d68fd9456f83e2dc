# Advanced Spawning: concurrent booting, synchronously (the seed's program).
# Changed: image '337c501c333c' (a Mezzanine stack) -> 'nginx', which this machine has.
import logging
from tfnz.location import Location

location = Location()
location.ensure_image_uploaded('nginx')
logging.info("-----Starting")
for n in range(0, 10):
    container = location.ranked_nodes()[0].spawn_container('nginx', no_image_check=True)
    container.wait_http_200(fqdn="www.atomicdroplet.com")
logging.info("-----Finished")
