/*
 * channels.c - the channels between nutshell and the container's first
 * process (see ctr.h, struct ctr_channels), made before clone(2) so that
 * both ends exist in both processes, each side then closing the other's.
 *
 *	go     a pipe: the parent writes one byte once it has set the child up
 *	       from outside (cgroup, id maps, veth); end of file - the parent
 *	       failed or died - means give up
 *	tty    -t: a socket pair; the child makes its pty in its own devpts and
 *	       sends the master back over it (SCM_RIGHTS, tty.c)
 *	idmap  --userns as root: a socket pair; the parent sends the image's
 *	       layers, idmapped for the child's id map (idmap.c)
 *
 * All close-on-exec: none of them may pass into COMMAND.
 */
#include "../common/err.h"
#include "ctr.h"

#include <fcntl.h>
#include <sys/socket.h>
#include <unistd.h>

static void
close_end(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

int
ctr_channels_open(struct ctr_channels *c, int tty, int idmap)
{
	*c = (struct ctr_channels){{-1, -1}, {-1, -1}, {-1, -1}};
	if (pipe2(c->go, O_CLOEXEC) == -1)
		return err_sys("the go pipe: pipe2");
	if (tty && socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, c->tty) == -1) {
		err_sys("-t: socketpair");
		ctr_channels_close(c);
		return -1;
	}
	if (idmap && socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, c->idmap) == -1) {
		err_sys("--userns: socketpair");
		ctr_channels_close(c);
		return -1;
	}
	return 0;
}

void
ctr_channels_parent(struct ctr_channels *c)
{
	close_end(&c->go[0]);
	close_end(&c->tty[1]);
	close_end(&c->idmap[1]);
}

int
ctr_channels_go(struct ctr_channels *c)
{
	if (write(c->go[1], "g", 1) != 1)
		return err_sys("starting the container: write to the go pipe");
	close_end(&c->go[1]);
	return 0;
}

int
ctr_channels_wait_go(struct ctr_channels *c)
{
	char go;

	/* Our copy of the write end must not keep the pipe open: end of
	 * file is how a failed or dead parent says no. */
	close_end(&c->go[1]);
	close_end(&c->tty[0]);
	close_end(&c->idmap[0]);
	if (read(c->go[0], &go, 1) != 1)
		return -1;
	close_end(&c->go[0]);
	return 0;
}

void
ctr_channels_close(struct ctr_channels *c)
{
	for (int i = 0; i < 2; i++) {
		close_end(&c->go[i]);
		close_end(&c->tty[i]);
		close_end(&c->idmap[i]);
	}
}
