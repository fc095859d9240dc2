#!/usr/bin/env bash
# The floor for bench/sites.py: one PHP site made by the shortest honest script, the same
# steps the daemon takes (user, directories, pool, server block, nginx -t, reloads) and none of
# its checks, records or rollback. Run as root:
#
#   bench/site-floor.sh add USER DOMAIN PHP_VERSION   # prints nothing; the site answers soon
#   bench/site-floor.sh remove USER DOMAIN PHP_VERSION
#   bench/site-floor.sh cleanup - - PHP_VERSION        # whatever an interrupted run left
#
# Files: /etc/nginx/conf.d/zz-floor-DOMAIN.conf, /etc/php/V/fpm/pool.d/zz-floor-DOMAIN.conf,
# the user's home /home/USER. Only for benchmarks on a machine the bench owns.
set -euo pipefail

action=$1 user=$2 domain=$3 php=$4
vhost=/etc/nginx/conf.d/zz-floor-$domain.conf
pool=/etc/php/$php/fpm/pool.d/zz-floor-$domain.conf
sock=/run/php/floor-$user.sock
docroot=/home/$user/public

reload() {
    nginx -t -q
    kill -HUP "$(cat /run/nginx.pid)"
    kill -USR2 "$(cat "/run/php/php$php-fpm.pid")"
}

case $action in
    add)
        useradd -M -d "/home/$user" -s /usr/sbin/nologin -g supercp-users "$user"
        install -d -o "$user" -g www-data -m 0750 "/home/$user" "$docroot"
        printf '<?php echo "floor ", getmyuid();\n' >"$docroot/index.php"
        cat >"$pool" <<EOF
[floor-$user]
user = $user
group = supercp-users
listen = $sock
listen.owner = $user
listen.group = www-data
listen.mode = 0660
pm = ondemand
pm.max_children = 5
php_admin_value[open_basedir] = /home/$user/
EOF
        cat >"$vhost" <<EOF
server {
    listen 80;
    server_name $domain;
    root $docroot;
    index index.php;
    location ~ \.php\$ {
        include fastcgi_params;
        fastcgi_param SCRIPT_FILENAME \$document_root\$fastcgi_script_name;
        fastcgi_pass unix:$sock;
    }
}
EOF
        reload
        ;;
    remove)
        rm -f "$vhost" "$pool"
        reload
        # The pool's last worker may outlive the reload for a moment.
        pkill -KILL -u "$user" || true
        userdel -f "$user"
        rm -rf "/home/$user"
        ;;
    cleanup)
        shopt -s nullglob
        users=()
        for file in /etc/php/"$php"/fpm/pool.d/zz-floor-*.conf; do
            users+=("$(sed -n 's/^user = //p' "$file")")
        done
        rm -f /etc/nginx/conf.d/zz-floor-*.conf /etc/php/"$php"/fpm/pool.d/zz-floor-*.conf
        reload
        for u in "${users[@]}"; do
            pkill -KILL -u "$u" || true
            userdel -f "$u" || true
            rm -rf "/home/$u"
        done
        ;;
    *)
        echo "usage: $0 add|remove|cleanup USER DOMAIN PHP_VERSION" >&2
        exit 2
        ;;
esac
