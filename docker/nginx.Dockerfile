# nginx beside ringhttpd (docker/compose.yml, perf/bench.py --containers): Debian 12's nginx on the
# same base as ringhttpd's build stage. The official nginx image cannot be pulled where this was
# tested; it runs the same docker/nginx.conf (compose.yml says how).
FROM docker.io/library/debian:bookworm-slim
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends nginx-light \
 && rm -rf /var/lib/apt/lists/* /etc/nginx/sites-enabled/* \
 && ln -sf /dev/stdout /var/log/nginx/access.log \
 && ln -sf /dev/stderr /var/log/nginx/error.log
COPY docker/nginx.conf /etc/nginx/nginx.conf
COPY static /srv/www
EXPOSE 8080
STOPSIGNAL SIGQUIT
CMD ["nginx", "-g", "daemon off;"]
