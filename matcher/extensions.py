"""Flask extensions, created once and bound to the app in ``create_app``."""

from flask_babel import Babel
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect

from matcher.models.base import Base

db = SQLAlchemy(model_class=Base)
# Batch mode lets ALTER TABLE migrations run on SQLite as well as PostgreSQL.
migrate = Migrate(render_as_batch=True, compare_type=True)
babel = Babel()
csrf = CSRFProtect()
login_manager = LoginManager()
limiter = Limiter(key_func=get_remote_address)
