"""How the service runs as processes, apart from what it does.

- supervisor.py: starts the web server and the scheduler together, and stops them together
  (`make run`, `make serve`);
- devserver.py: Flask's development server beside the scheduler (`make run`);
- gunicorn_conf.py: gunicorn's settings in production (`make serve`);
- scheduler.py: the scheduler process, firing the jobs of protocol_monitor/jobs.py on time;
- argv.py: the command lines that start them.
"""
