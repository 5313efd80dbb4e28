#!/usr/bin/env bash
# Exports, read-only, what `mlaccess import azure` needs from Azure subscriptions and their Entra ID
# tenant into a folder of JSON files. Run with --help for usage and the permissions it needs.
#
# Needs only bash (3.2 or later), coreutils, sed, grep and the Azure CLI (`az`): no jq, no python.
set -euo pipefail

readonly ARM=https://management.azure.com
readonly AUTHORIZATION_API=2022-04-01
readonly ML_API=2024-10-01
# Resource Graph returns at most 1000 rows a page.
readonly PAGE_SIZE=1000
readonly GUID_RE='^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$'

# Resource types exported in full (with `properties`) from Resource Graph.
readonly FULL_TYPES="'microsoft.machinelearningservices/workspaces',\
'microsoft.storage/storageaccounts',\
'microsoft.keyvault/vaults',\
'microsoft.containerregistry/registries',\
'microsoft.managedidentity/userassignedidentities',\
'microsoft.network/virtualnetworks',\
'microsoft.network/networksecuritygroups',\
'microsoft.network/privateendpoints',\
'microsoft.compute/virtualmachines'"
# Machine Learning child resources read per workspace with `az rest` (Resource Graph's coverage of
# them is incomplete), so kept out of the Resource Graph queries.
readonly REST_TYPES="'microsoft.machinelearningservices/workspaces/computes',\
'microsoft.machinelearningservices/workspaces/onlineendpoints'"

readonly QUERY_FULL="Resources | where type in~ (${FULL_TYPES}) | order by id asc"
readonly QUERY_CONTAINERS="ResourceContainers | where type in~ ('microsoft.resources/subscriptions',\
'microsoft.resources/subscriptions/resourcegroups') | order by id asc"
readonly QUERY_OTHER="Resources | where not(type in~ (${FULL_TYPES},${REST_TYPES})) \
| project id, name, type, location, resourceGroup, subscriptionId, identity | order by id asc"

usage() {
  cat <<'EOF'
Usage: scripts/export-azure.sh [-o DIR] [--force] [SUBSCRIPTION_ID...]

Exports what a model of an Azure Machine Learning estate needs from the given subscriptions
(default: the current one, `az account show`) and from the Entra ID tenant you are signed in to,
into DIR (default: azure-export), as JSON files. Then build the model with:

    mlaccess import azure DIR -o model.yaml

Options:
  -o, --output DIR  folder to write; created if missing, refused if not empty
      --force       write into a non-empty DIR (files of the same name are replaced; other
                    files are kept, and the importer reads every *.json file in DIR)
  -h, --help        print this help

It only reads: every az call is a list, a show, a Resource Graph query or `az rest --method get`;
nothing in Azure or Entra ID is created, changed or deleted.

Needs the Azure CLI (az) with the resource-graph extension (`az extension add --name
resource-graph`), signed in with `az login`, and:
  - Reader on each subscription (resources, Resource Graph, role assignments, custom role
    definitions, deny assignments, Machine Learning datastores, computes and online endpoints);
  - read access to the Entra ID directory: User.Read.All, Group.Read.All, Application.Read.All
    (members of a tenant have it by default; guests may need the Directory Readers role).

Files written (NNNN counts pages, SUB is a subscription id):
  resources-NNNN.json                 Resource Graph, in full: ML workspaces, storage accounts, key
                                      vaults, container registries, user-assigned identities,
                                      virtual networks, NSGs, private endpoints, virtual machines
  resource-containers-NNNN.json       Resource Graph: the subscriptions and their resource groups
  other-resources-NNNN.json           Resource Graph: every other resource (id, name, type,
                                      location, resource group, subscription, identity)
  role-assignments-SUB-NNNN.json      role assignments at, below and above each subscription
  role-definitions-SUB-NNNN.json      custom role definitions usable in each subscription
  deny-assignments-SUB-NNNN.json      deny assignments
  ml-datastores-WORKSPACE-NNNN.json   per workspace (WORKSPACE is SUB-RESOURCEGROUP-NAME)
  ml-computes-WORKSPACE-NNNN.json
  ml-online-endpoints-WORKSPACE-NNNN.json
  users.json, groups.json, service-principals.json
                                      Entra ID users, groups and service principals
  group-members-GROUPID.json          {"groupId": ..., "members": [direct members]}
  app-owners-APPID.json               {"appId": ..., "owners": [...]} for each app registration
                                      of the tenant that has a service principal
EOF
}

say() { printf '%s\n' "$*" >&2; }
die() {
  printf 'export-azure: %s\n' "$*" >&2
  exit 1
}

# Arguments.
out=azure-export
force=0
subscriptions=()
while [ "$#" -gt 0 ]; do
  case $1 in
    -h | --help)
      usage
      exit 0
      ;;
    -o | --output)
      [ "$#" -ge 2 ] || die "$1 needs a folder (see --help)"
      out=$2
      shift 2
      ;;
    --force)
      force=1
      shift
      ;;
    --)
      shift
      while [ "$#" -gt 0 ]; do
        subscriptions+=("$1")
        shift
      done
      ;;
    -*) die "unknown option: $1 (see --help)" ;;
    *)
      subscriptions+=("$1")
      shift
      ;;
  esac
done
[ -n "$out" ] || die "the output folder name is empty"

if [ -e "$out" ] && [ ! -d "$out" ]; then
  die "$out exists and is not a folder"
fi
if [ -d "$out" ] && [ "$force" != 1 ] && [ -n "$(ls -A -- "$out")" ]; then
  die "$out is not empty: choose another folder, empty it, or pass --force to write into it anyway"
fi

command -v az >/dev/null 2>&1 ||
  die "the Azure CLI (az) is not installed: see https://learn.microsoft.com/cli/azure/install-azure-cli"

tmp=$(mktemp -d "${TMPDIR:-/tmp}/export-azure.XXXXXX")
trap 'rm -rf -- "$tmp"' EXIT
: >"$tmp/written"

if ! current=$(az account show --query id -o tsv 2>"$tmp/account.err"); then
  cat "$tmp/account.err" >&2
  die "az is not signed in (az account show failed): run 'az login' first"
fi
current=${current%$'\r'}

if [ "${#subscriptions[@]}" -eq 0 ]; then
  subscriptions=("$current")
fi
unique=()
for sub in "${subscriptions[@]}"; do
  [[ $sub =~ $GUID_RE ]] || die "not a subscription id: '$sub' (pass subscription ids, not names)"
  case " ${unique[*]-} " in
    *" $sub "*) ;;
    *) unique+=("$sub") ;;
  esac
done
subscriptions=("${unique[@]}")

az extension show --name resource-graph -o none 2>/dev/null ||
  die "the resource-graph extension of az is missing: install it with 'az extension add --name resource-graph'"

mkdir -p -- "$out"

# capture FILE COMMAND...: runs COMMAND with its standard output in FILE, which appears only if the
# command succeeds (so that no half-written *.json file is ever left behind).
capture() {
  local file=$1
  shift
  if ! "$@" >"$file.part"; then
    rm -f -- "$file.part"
    die "failed: $*"
  fi
  mv -- "$file.part" "$file"
}

# record FILE: notes FILE, written into the output folder, for the summary.
record() {
  [ -s "$1" ] || die "empty output written to $1"
  printf '%s\n' "${1##*/}" >>"$tmp/written"
}

# save FILE COMMAND...: capture into the output folder, and record.
save() {
  capture "$@"
  record "$1"
}

# top_string KEY FILE: the string value of the top-level KEY of az's JSON output in FILE, or nothing
# if KEY is absent or null. az prints JSON indented by two spaces, so the top-level keys of an
# object are the lines indented by exactly two spaces; nested keys are never matched.
top_string() {
  sed -n -e "/^  \"$1\": \"/{" -e "s/^  \"$1\": \"\\([^\"]*\\)\".*/\\1/p" -e 'q' -e '}' "$2"
}

# page_file NAME PAGE: the output file of page PAGE of NAME.
page_file() {
  printf '%s/%s-%04d.json' "$out" "$1" "$2"
}

# graph_pages NAME QUERY: runs a Resource Graph query over the subscriptions into NAME-NNNN.json,
# following skip_token from page to page.
graph_pages() {
  local name=$1 query=$2 page=1 token="" previous="" file
  local -a args
  while :; do
    file=$(page_file "$name" "$page")
    args=(graph query -q "$query" --subscriptions "${subscriptions[@]}" --first "$PAGE_SIZE")
    if [ -n "$token" ]; then
      args+=(--skip-token "$token")
    fi
    save "$file" az "${args[@]}" -o json
    previous=$token
    token=$(top_string skip_token "$file")
    [ -n "$token" ] || break
    [ "$token" != "$previous" ] || die "Resource Graph returned the same skip_token twice ($file)"
    page=$((page + 1))
  done
}

# rest_pages NAME URL: GETs an ARM list into NAME-NNNN.json, following nextLink from page to page.
rest_pages() {
  local name=$1 url=$2 page=1 previous file
  while :; do
    file=$(page_file "$name" "$page")
    save "$file" az rest --method get --url "$url" -o json
    previous=$url
    url=$(top_string nextLink "$file")
    [ -n "$url" ] || break
    case $url in
      "$ARM"/*) ;;
      *) die "unexpected nextLink in $file (not on $ARM): $url" ;;
    esac
    [ "$url" != "$previous" ] || die "the same nextLink was returned twice ($file)"
    page=$((page + 1))
  done
}

# wrap FILE KEY VALUE LIST COMMAND...: writes {"KEY": "VALUE", "LIST": <COMMAND's JSON output>}.
wrap() {
  local file=$1 key=$2 value=$3 list=$4
  shift 4
  capture "$tmp/list.json" "$@"
  {
    printf '{\n  "%s": "%s",\n  "%s": ' "$key" "$value" "$list"
    cat "$tmp/list.json"
    printf '}\n'
  } >"$file.part"
  mv -- "$file.part" "$file"
  record "$file"
}

# Resources, from Resource Graph.
say "exporting resources of ${subscriptions[*]}..."
graph_pages resources "$QUERY_FULL"
say "exporting subscriptions and resource groups..."
graph_pages resource-containers "$QUERY_CONTAINERS"
say "exporting the other resources (id, type, identity)..."
graph_pages other-resources "$QUERY_OTHER"

# Authorization, in the REST shape.
for sub in "${subscriptions[@]}"; do
  scope="$ARM/subscriptions/$sub/providers/Microsoft.Authorization"
  say "exporting role assignments of $sub..."
  rest_pages "role-assignments-$sub" "$scope/roleAssignments?api-version=$AUTHORIZATION_API"
  say "exporting custom role definitions of $sub..."
  rest_pages "role-definitions-$sub" \
    "$scope/roleDefinitions?api-version=$AUTHORIZATION_API&\$filter=type%20eq%20'CustomRole'"
  say "exporting deny assignments of $sub..."
  rest_pages "deny-assignments-$sub" "$scope/denyAssignments?api-version=$AUTHORIZATION_API"
done

# Machine Learning workspaces' datastores, computes and online endpoints. Workspace ids are taken
# from the Resource Graph pages just written (the `id` of each workspace row).
workspace_ids() {
  local f
  { grep -E '^resources-[0-9]{4}\.json$' "$tmp/written" || true; } | while IFS= read -r f; do
    grep -oiE '"id": *"/subscriptions/[0-9a-f-]{36}/resourcegroups/[^/"]+/providers/microsoft\.machinelearningservices/workspaces/[^/"]+"' \
      "$out/$f" || true
  done | sed -e 's/^"id": *"//' -e 's/"$//' | sort -f -u
}
workspace_ids >"$tmp/workspaces"
while IFS= read -r ws <&3; do
  IFS=/ read -r _ _ ws_sub _ ws_group _ _ _ ws_name <<<"$ws"
  label="$ws_sub-$ws_group-$ws_name"
  label=${label//[^A-Za-z0-9._-]/_}
  say "exporting datastores, computes and online endpoints of workspace $ws_name ($ws_group, $ws_sub)..."
  rest_pages "ml-datastores-$label" "$ARM$ws/datastores?api-version=$ML_API"
  rest_pages "ml-computes-$label" "$ARM$ws/computes?api-version=$ML_API"
  rest_pages "ml-online-endpoints-$label" "$ARM$ws/onlineEndpoints?api-version=$ML_API"
done 3<"$tmp/workspaces"

# Entra ID, as Microsoft Graph objects.
say "exporting Entra ID users..."
save "$out/users.json" az ad user list -o json
say "exporting Entra ID groups..."
save "$out/groups.json" az ad group list -o json
say "exporting Entra ID service principals..."
save "$out/service-principals.json" az ad sp list --all -o json

# guids KEY FILE: the distinct GUID values of KEY anywhere in FILE, lower-cased.
guids() {
  { grep -oE "\"$1\": *\"[0-9a-fA-F-]{36}\"" "$2" || true; } |
    sed -e 's/.*"\([^"]*\)"$/\1/' | tr '[:upper:]' '[:lower:]' | sort -u
}

guids id "$out/groups.json" >"$tmp/groups"
total=$(wc -l <"$tmp/groups" | tr -d ' ')
n=0
while IFS= read -r group <&3; do
  n=$((n + 1))
  [[ $group =~ $GUID_RE ]] || die "not a group id in groups.json: $group"
  say "exporting members of group $group ($n/$total)..."
  wrap "$out/group-members-$group.json" groupId "$group" members az ad group member list --group "$group" -o json
done 3<"$tmp/groups"

say "exporting the app registrations' owners..."
capture "$tmp/app-ids.tsv" az ad app list --all --query '[].appId' -o tsv
tr -d '\r' <"$tmp/app-ids.tsv" | tr '[:upper:]' '[:lower:]' | grep -E "${GUID_RE}" | sort -u >"$tmp/apps" || true
guids appId "$out/service-principals.json" >"$tmp/sp-apps"
comm -12 "$tmp/apps" "$tmp/sp-apps" >"$tmp/owned-apps"
while IFS= read -r app <&3; do
  say "exporting owners of app $app..."
  wrap "$out/app-owners-$app.json" appId "$app" owners az ad app owner list --id "$app" -o json
done 3<"$tmp/owned-apps"

# Summary.
count() { grep -cE "$1" "$tmp/written" || true; }
line() {
  local n
  n=$(count "$2")
  [ "$n" -eq 0 ] || printf '  %-22s %s\n' "$1" "$n"
}
printf 'wrote %s files to %s:\n' "$(count .)" "$out"
line "resources" '^resources-'
line "resource containers" '^resource-containers-'
line "other resources" '^other-resources-'
line "role assignments" '^role-assignments-'
line "role definitions" '^role-definitions-'
line "deny assignments" '^deny-assignments-'
line "ML datastores" '^ml-datastores-'
line "ML computes" '^ml-computes-'
line "ML online endpoints" '^ml-online-endpoints-'
line "Entra ID objects" '^(users|groups|service-principals)\.json$'
line "group members" '^group-members-'
line "app owners" '^app-owners-'
printf 'next: mlaccess import azure %s -o model.yaml\n' "$out"
