#!/bin/sh
# Registers the legacy orders service (two VMs outside the mesh) in Consul,
# as its own agents would. CONSUL_HTTP_ADDR defaults to http://127.0.0.1:8500.
set -eu
consul="${CONSUL_HTTP_ADDR:-http://127.0.0.1:8500}"
for vm in 1 2; do
  curl -fsS -X PUT "$consul/v1/catalog/register" -H 'content-type: application/json' -d "{
    \"Node\": \"legacy-vm-$vm\", \"Address\": \"192.168.10.1$vm\",
    \"Service\": { \"ID\": \"orders-legacy-$vm\", \"Service\": \"orders-legacy\", \"Port\": 8080, \"Tags\": [\"legacy\"] },
    \"Check\": { \"CheckID\": \"service:orders-legacy-$vm\", \"Name\": \"orders-legacy alive\", \"Status\": \"passing\", \"ServiceID\": \"orders-legacy-$vm\" }
  }" >/dev/null
done
echo "registered orders-legacy-1 and orders-legacy-2 in $consul"
