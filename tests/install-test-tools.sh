#!/usr/bin/env bash
# Installs what the tests compare against when it is missing: procps (free, pmap: the live
# byte-for-byte comparisons), strace (the lab's --strace tests), gcc (the pmap tests' C
# subject process) and chromium (the browser Playwright drives to check ebb map's HTML page:
# Debian's, at /usr/bin/chromium, since Playwright's own browser download is not used). Run by the build of
# Ebb.Cli.Tests (tests/Directory.Build.targets), so `dotnet test -c Release` on a fresh machine
# needs nothing else. Never fails the build: without root it says what to install and goes on.
need=()
command -v free   >/dev/null 2>&1 || need+=(procps)
command -v pmap   >/dev/null 2>&1 || { [[ " ${need[*]} " == *" procps "* ]] || need+=(procps); }
command -v strace >/dev/null 2>&1 || need+=(strace)
command -v cc     >/dev/null 2>&1 || need+=(gcc)
[ -x /usr/bin/chromium ]           || need+=(chromium)
[ ${#need[@]} -eq 0 ] && exit 0
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "ebb tests: installing ${need[*]} (apt-get)"
  { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}"; } >/dev/null 2>&1 \
    || echo "ebb tests: warning: could not install ${need[*]}; the tests that compare with them will fail"
else
  echo "ebb tests: warning: ${need[*]} missing and not root: run 'sudo apt-get install ${need[*]}'; the tests that compare with them will fail"
fi
exit 0
