#!/usr/local/bin/python3
# Deploying to Production: the best way (the seed's program).
import signal
import logging
import argparse
from tfnz.location import Location

parser = argparse.ArgumentParser(prog='our-tf-service')
parser.add_argument('--prod', action='store_true', help="Run as production environment")
parser.add_argument('image', help="Image to use as webapp")
args = parser.parse_args()
loc = Location(debug_log=not args.prod)

# Fetch or create the database volume
dbname = 'prod/db' if args.prod else 'dev/db'
try:
    volume_uuid = loc.kv[dbname]
    node, vol = loc.node_and_volume(volume_uuid)
except KeyError:
    node = loc.best_node()
    vol = node.create_volume()
    loc.set_kv({dbname: vol.uuid})

logging.info("Starting our-tf-service " +
             ("ON THE PRODUCTION ENVIRONMENT." if args.prod else
              "on the development environment."))
logging.info("Using webserver image: " + args.image)

db = node.spawn_container("postgres", volumes=[(vol, '/db')])
app = node.spawn_container(args.image,
                           pre_boot_files=[('/etc/webapp.cfg', 'db=' + db.ip)])
db.allow_connection_from(app)
signal.pause()
