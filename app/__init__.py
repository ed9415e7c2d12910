"""The Data Academy: an internal learning platform for a self-serve data platform."""

from __future__ import annotations

import os
from pathlib import Path

from flask import Flask

from app.config import Config, create_owner_only, instance_secret_key, sqlite_file


def create_app(
    config: type[Config] | dict | None = None, instance_path: str | None = None
) -> Flask:
    """Build the application: settings, extensions, blueprints, commands."""
    app = Flask(__name__, instance_relative_config=True, instance_path=instance_path)
    app.config.from_object(Config)
    if isinstance(config, dict):
        app.config.update(config)
    elif config is not None:
        app.config.from_object(config)
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    if not app.config["SECRET_KEY"]:
        app.config["SECRET_KEY"] = instance_secret_key(app.instance_path)
    if not app.config["SQLALCHEMY_DATABASE_URI"]:
        db_path = os.path.join(app.instance_path, "academy.sqlite")
        app.config["SQLALCHEMY_DATABASE_URI"] = f"sqlite:///{db_path}"
    create_owner_only(sqlite_file(app.config["SQLALCHEMY_DATABASE_URI"]))

    from app import security, shutdown, templating
    from app.extensions import csrf, db, limiter, login_manager, migrate
    from app.grading.queue import celery_apps, grading_queues
    from app.grading.runtime import kernel_pools
    from app.hub import settings as hub_settings
    from app.hub.client import hub_clients
    from app.lake.engine import playground_engine
    from app.notifications.mail import dispatcher
    from app.oauth import server as oauth_server

    db.init_app(app)
    migrate.init_app(app, db, directory=str(Path(app.root_path).parent / "migrations"))
    csrf.init_app(app)
    login_manager.init_app(app)
    limiter.init_app(app)
    security.init_app(app)
    dispatcher.init_app(app)
    kernel_pools.init_app(app)
    celery_apps.init_app(app)
    grading_queues.init_app(app)
    templating.init_app(app)
    playground_engine.init_app(app)
    hub_settings.init_app(app)
    hub_clients.init_app(app)
    oauth_server.init_app(app)
    # This process may start kernels and playground workers: a SIGTERM must stop them too.
    shutdown.exit_on_sigterm()

    from app.accounts.routes import bp as accounts_bp
    from app.admin.routes import bp as admin_bp
    from app.catalogue.routes import bp as catalogue_bp
    from app.demand.routes import bp as demand_bp
    from app.enrolment.routes import bp as enrolment_bp
    from app.grading.routes import bp as grading_bp
    from app.hub.routes import bp as hub_bp
    from app.lake.routes import bp as lake_bp
    from app.learning.routes import bp as learning_bp
    from app.main.routes import bp as main_bp
    from app.nominations.routes import bp as nominations_bp
    from app.notifications.routes import bp as notifications_bp
    from app.oauth.routes import bp as oauth_bp
    from app.teaching.routes import bp as teaching_bp

    for blueprint in (
        main_bp,
        accounts_bp,
        catalogue_bp,
        demand_bp,
        enrolment_bp,
        nominations_bp,
        learning_bp,
        teaching_bp,
        lake_bp,
        grading_bp,
        hub_bp,
        notifications_bp,
        admin_bp,
        oauth_bp,
    ):
        app.register_blueprint(blueprint)

    from app.cli import academy

    app.cli.add_command(academy)
    return app
