# The gateway (gateway/README.md) on the official nginx image, which has the bash and envsubst
# gateway/start needs. Build context: the repository root:
#   docker build -f deploy/gateway.Dockerfile -t quiver/gateway:0.1.0-SNAPSHOT .
# Settings come from the environment (gateway/README.md); the users file must be mounted at
# HTPASSWD_FILE. On Kubernetes the conf/ directory is replaced by the quiver-gateway-conf ConfigMap.
FROM nginx:1.27

COPY gateway/start /opt/quiver-gateway/start
COPY gateway/conf/ /opt/quiver-gateway/conf/

# The image's own unprivileged nginx user; the gateway listens above 1024 and keeps its rendered
# configuration and temporary files under /tmp.
USER 101
ENV GATEWAY_PORT=8088 \
    GATEWAY_RUN_DIR=/tmp/gateway \
    HTPASSWD_FILE=/etc/quiver-gateway/users/htpasswd
EXPOSE 8088
STOPSIGNAL SIGQUIT
ENTRYPOINT ["/opt/quiver-gateway/start"]
