#!/usr/bin/env bash
# The walkthrough of README.md and docs/<surface>.md, in one place: each `# --- walkthrough: NAME` section below is
# shown verbatim in those pages (tests/unit/test_docs.py fails when they differ). `make demo` runs it against the
# running stack; each call checks its status, so any surprise stops it. It makes fresh emails and titles, so it
# runs again on the same stack. Settings: BASE_URL, OUTBOX (the mail outbox; else LOCAL_STATE_DIR/outbox),
# ADMIN_EMAIL, ADMIN_PASSWORD (as `make run` was given them).
set -euo pipefail
cd "$(dirname "$0")/.."
trap 'rm -f "${AUDIO:-}" "${PHOTO:-}"' EXIT

# --- walkthrough: setup
BASE=${BASE_URL:-http://127.0.0.1:8000}               # the API that `make run` serves
OUTBOX=${OUTBOX:-${LOCAL_STATE_DIR:-.local}/outbox}   # the mail `make run` sends, one JSON file each
RUN=$(date +%s)$RANDOM                                # a fresh suffix for emails and titles
# call STATUS METHOD PATH [curl options]: prints the answer, and fails unless its status is STATUS
call() {
  local want=$1 method=$2 url=$3 out; shift 3
  [[ $url == http* ]] || url=$BASE$url
  out=$(curl -sS -X "$method" "$url" -w '\n%{http_code}' "$@") || return 1
  printf '%s\n' "${out%$'\n'*}"
  [[ ${out##*$'\n'} == "$want" ]] || { echo "$method $url answered ${out##*$'\n'}, not $want" >&2; return 1; }
}
# field PATH: one value of the JSON on stdin (`field data.access_token`, `field 0.id`)
field() {
  python3 -c 'import json, sys
value = json.load(sys.stdin)
for key in sys.argv[1].split("."):
    value = value[int(key)] if isinstance(value, list) else value[key]
print(value if isinstance(value, str) else json.dumps(value))' "$1"
}
# --- end

# --- walkthrough: accounts
EMAIL=jay-$RUN@example.com
# register: 201 with the tokens in the recordings envelope
call 201 POST /api/auth/register/ -d '{"fullname":"Jay","email":"'"$EMAIL"'","password":"twelve-chars-pw"}'
# {"data":{"access_token":"eyJ...","refresh_token":"eyJ..."},"meta":{"success":true,"errors":[]}}

# sign in (every documented path works with and without its trailing slash)
TOKEN=$(call 200 POST /api/auth/login -d '{"email":"'"$EMAIL"'","password":"twelve-chars-pw"}' | field data.access_token)

# an authenticated call: who am I
call 200 GET /api/auth/me/ -H "Authorization: Bearer $TOKEN"
# {"data":{"user_id":2,"fullname":"Jay","email":"jay-...@example.com","is_admin":false,"email_verified":false},...}

# mistakes answer with the document's keys
call 400 POST /api/auth/register/ -d '{"email":"jay@example"}'
# {"data":null,"meta":{"success":false,"errors":["AUTH_FULLNAME_REQUIRED","AUTH_INVALID_EMAIL","AUTH_PASSWORD_REQUIRED"]}}
# --- end

# --- walkthrough: accounts-links
# mailed_link EMAIL: the newest verification or invitation link in the outbox for EMAIL
mailed_link() {
  python3 -c 'import json, pathlib, re, sys
mails = sorted(pathlib.Path(sys.argv[1]).glob("*.json"), key=lambda path: path.stat().st_mtime_ns)
links = [link for path in mails for mail in [json.loads(path.read_text())] if mail["to"] == sys.argv[2]
         for link in re.findall(r"https?://\S+/api/auth/verify/[^/\s]+/", mail["body"])]
print(links[-1])' "$OUTBOX" "$1"
}
# registration mailed a verification link to the outbox: show its email, then follow it with the password.
# It answers new tokens, and those from before stop working: use the new one from here on.
LINK=$(mailed_link "$EMAIL")
call 200 GET "$LINK"
OLD=$TOKEN
TOKEN=$(call 200 POST "$LINK" -d '{"password":"twelve-chars-pw"}' | field data.access_token)
call 401 GET /api/auth/me/ -H "Authorization: Bearer $OLD"
# a fresh link: 200 whether or not the address has an account
call 200 POST /api/auth/verify/ -d '{"email":"'"$EMAIL"'"}'

# forgot password: the link is mailed to the outbox (and, by `make run` only, answered too)
RESET=$(call 200 POST /api/auth/forgot/ -d '{"email":"'"$EMAIL"'"}' | field data.reset_url)
call 200 GET "$RESET"
# the reset answers new tokens; again, the older ones stop working
TOKEN=$(call 200 POST "$RESET" -d '{"password":"a-new-password-123"}' | field data.access_token)
call 200 GET /api/auth/me/ -H "Authorization: Bearer $TOKEN"
# --- end

# --- walkthrough: recordings
# form_fields: the `--form-string name=value` options of the presigned POST on stdin (its data.fields or fields)
form_fields() {
  python3 -c 'import json, sys
form = json.load(sys.stdin)
for name, value in form.get("data", form)["fields"].items():
    print("--form-string"); print(f"{name}={value}")'
}
# a project of your own (you are its admin), then the presigned recording flow into it
CREATED=$(call 201 POST /api/projects/ -H "Authorization: Bearer $TOKEN" \
  -d '{"title":"Interviews '"$RUN"'","description":"Talks","privacy":"private","topics":["health"]}')
PROJECT=$(echo "$CREATED" | field data.id) TOPIC=$(echo "$CREATED" | field data.topics.0.id)
FORM=$(call 201 POST /api/projects/$PROJECT/sessions/uploads/ -H "Authorization: Bearer $TOKEN")
# POST the file to the form's url with every one of its fields, plus Content-Type (audio/...), the file last
AUDIO=$(mktemp) && printf 'ID3 a short talk' > "$AUDIO"
mapfile -t FIELDS < <(echo "$FORM" | form_fields)
call 204 POST "$(echo "$FORM" | field data.url)" "${FIELDS[@]}" -F Content-Type=audio/mpeg -F "file=@$AUDIO"
call 201 POST /api/projects/$PROJECT/sessions/ -H "Authorization: Bearer $TOKEN" \
  -d '{"recording_key":"'"$(echo "$FORM" | field data.key)"'","participants":[{"Name":"Jay","Email":"'"$EMAIL"'","Role":1}],"prompts":[{"Start":0,"End":10,"PromptID":'"$TOPIC"'}]}'
call 200 GET "/api/projects/$PROJECT/sessions/?limit=20" -H "Authorization: Bearer $TOKEN"
# --- end

# --- walkthrough: nearby
# the nearby document sends the bare token in Authorization (`Bearer <token>` works too)
# a map request: a circle of 750 m; "override" lets it through at night (docs/nearby.md)
call 201 POST /api/v04/requests -H "Authorization: $TOKEN" \
  -d '{"location":{"lat":33.749,"lon":-84.3884,"radius":750},"message":"How is it there?","override":true}'
# {"Code": 0, "Message": ""}
call 200 GET "/api/v04/requests/nearest?lat=33.75&lon=-84.3884" -H "Authorization: $TOKEN"
# --- end

# --- walkthrough: content-requests
# the owner asks (time_type one_time by default, or multi_use): 201. Owner routes take the document's
# `Authentication: Bearer <token>` header, or `Authorization: Bearer <token>`
ASKED=$(call 201 POST /api/v4/content_requests -H "Authentication: Bearer $TOKEN" \
  -d '{"content_request":{"name":"Garden party '"$RUN"'","recipient":"Rita","prompt":"The cake, please","expiration_date":"2099/12/31"}}')
# {"id":1,"name":"Garden party ...",...,"status":"pending","time_type":"One-Time","link_for_copy":"/content_requests/4c38da5893b1f793","token":"4c38da5893b1f793"}
ID=$(echo "$ASKED" | field id) LINK=$(echo "$ASKED" | field token)

# the recipient opens the link (no token) and asks for an upload form per file (201)
call 200 GET /api/v4/content_requests/$LINK
PHOTO=$(mktemp) && printf 'PNG a small cake' > "$PHOTO"
FORM=$(call 201 POST /api/v4/content_requests/$LINK/uploads \
  -d '{"name":"cake.png","format_type":"png","media_type":"photo","size":'"$(wc -c < "$PHOTO")"'}')
# {"url":"http://...","fields":{"key":"uploads/content-requests/1/....png","Content-Type":"image/png",...},"s3_key":"uploads/content-requests/1/....png","expires_in":3600}
# POST the file to the form's url with every one of its fields, the file last
mapfile -t FIELDS < <(echo "$FORM" | form_fields)
call 204 POST "$(echo "$FORM" | field url)" "${FIELDS[@]}" -F "file=@$PHOTO"

# then completes the request, naming each uploaded key
call 200 PUT /api/v4/content_requests/$LINK/complete \
  -d '{"media_files":[{"name":"cake","s3_key":"'"$(echo "$FORM" | field s3_key)"'","format_type":"png","media_type":"photo","size":'"$(wc -c < "$PHOTO")"',"note":"The big one"}]}'
# {"success":true}

# the owner lists (pending is required), and downloads what was sent
call 200 GET "/api/v4/content_requests?pending=false&sort_by=name" -H "Authentication: Bearer $TOKEN"
call 200 GET /api/v4/content_requests/$ID/media_files -H "Authentication: Bearer $TOKEN"
# --- end

# --- walkthrough: coaching
# as the platform admin (`make run` prints it): an org, then a coach in it
ADMIN=$(call 200 POST /api/auth/login/ \
  -d '{"email":"'"${ADMIN_EMAIL:-admin@example.com}"'","password":"'"${ADMIN_PASSWORD:-admin-password-123}"'"}' | field data.access_token)
ORG=$(call 201 POST /api/orgs -H "Authorization: Bearer $ADMIN" -d '{"name":"ACME '"$RUN"'","sms_number":"+15555555555"}' | field id)
CORY=cory-$RUN@example.com
call 201 POST /api/coaches -H "Authorization: Bearer $ADMIN" \
  -d '{"first_name":"Cory","last_name":"Coach","email":"'"$CORY"'","org_id":'"$ORG"'}'
# the coach follows the invitation mailed to that address, choosing a password, and adds a client (coached by
# them, with a check-in), then a task for that client
COACH=$(call 200 POST "$(mailed_link "$CORY")" -d '{"password":"twelve-chars-pw"}' | field data.access_token)
CLIENT=$(call 201 POST /api/clients -H "Authorization: Bearer $COACH" \
  -d '{"first_name":"MC","last_name":"Hammer","email":"mc-'"$RUN"'@example.com","org_id":'"$ORG"',"phone":"(555) 555-0100","checkin_times":[{"topic":"introtask","message":"startprompt","time":1795521600000}]}' | field id)
call 201 POST /api/tasks -H "Authorization: Bearer $COACH" \
  -d '{"title":"Build a budget","category":"custom","user_id":'"$CLIENT"',"date_assigned":"2026-11-23","recurring":{"frequency":1,"duration":7}}'
call 200 GET /api/clients -H "Authorization: Bearer $COACH"
# --- end

# --- walkthrough: dialogues
# as the platform admin again (it holds "admin"); every call sends the token, reads included
H="Authorization: Bearer $ADMIN"
call 200 GET /user -H "$H"
P=$(call 201 POST /projects/ -H "$H" -d '{"title":"Maternal Health '"$RUN"'"}' | field id)
D=$(call 201 POST /projects/$P/dialogues/ -H "$H" -d '{"title":"Service Rating Survey","sequences":[]}' | field id)
# every edit is a revision: PATCH (RFC 6902), PUT, or POST .../revisions/ (one, or an array, all or nothing)
call 200 PATCH /projects/$P/dialogues/$D -H "$H" \
  -d '[{"op":"add","path":"/sequences/-","value":{"id":"start","title":"Start","blocks":[]}}]'
call 201 POST /projects/$P/dialogues/$D/revisions/ -H "$H" \
  -d '{"type":"edit","details":{},"properties":{"edit_type":"rename","patch":[{"op":"replace","path":"/title","value":"Rating"}]}}'
call 201 POST /projects/$P/dialogues/$D/revisions/ -H "$H" -d '{"type":"revert","properties":{"revision_id":"2"}}'
call 200 GET "/projects/$P/dialogues/$D/revisions/?ordering=number" -H "$H"
call 201 POST /projects/$P/dialogues/$D/releases/ -H "$H" -d '{"revision_id":"3"}'
call 200 GET /projects/$P/dialogues/$D/releases/1 -H "$H"    # with the description as released
# a user who may edit one dialogue
JOAN=$(call 201 POST /users/ -H "$H" \
  -d '{"email":"joan-'"$RUN"'@example.com","password":"twelve-chars-pw","first_name":"Joan","last_name":"Watson"}' | field id)
call 200 POST /users/$JOAN/permissions/ -H "$H" -d '{"type":"dialogue:write","details":{"project_id":"'"$P"'","dialogue_id":"'"$D"'"}}'
# channels: `make run` seeds three; attach one to the project (one project at a time: setting project_id
# again moves it, atomically; is_available is true for attached channels too)
CHANNEL=$(call 200 GET /channels/ -H "$H" | field 0.id)
call 200 PATCH /channels/$CHANNEL -H "$H" -d '[{"op":"replace","path":"/project_id","value":"'"$P"'"}]'
call 200 GET /projects/$P/channels/ -H "$H"
# --- end

echo "The walkthrough passed against $BASE."
