"""Base class of the configurable building blocks (activations, losses, ...).

A component's ``__init__`` only stores hyper-parameters. ``get_params`` and
``set_params`` are derived from that signature, the way scikit-learn derives
them for estimators, so a component given as an estimator parameter takes part
in ``clone``, ``set_params(solver__beta_2=...)`` and ``GridSearchCV``. State
that a component learns while training (an optimizer's moments, say) lives in
attributes created by a ``build`` method of a *fresh* copy, never in the object
the user passed in.
"""

# SPDX-License-Identifier: BSD-3-Clause

import copy
import functools
import inspect
from numbers import Integral, Real

from sklearn.utils._param_validation import (
    Interval,
    make_constraint,
    validate_parameter_constraints,
)

# Ranges that components' ``_parameter_constraints`` share; BELOW_ONE holds
# the decay rates (betas, rho), COUNT integers from 1.
NON_NEGATIVE = Interval(Real, 0, None, closed="left")
POSITIVE = Interval(Real, 0, None, closed="neither")
UNIT_INTERVAL = Interval(Real, 0, 1, closed="both")
BELOW_ONE = Interval(Real, 0, 1, closed="left")
COUNT = Interval(Integral, 1, None, closed="left")


class Component:
    """Hyper-parameter container with scikit-learn's ``get_params`` protocol.

    Subclasses list their hyper-parameters as explicit keyword arguments of
    ``__init__`` and store each one unchanged under the same name.

    Examples
    --------
    >>> from sknn.optimizers import Adam
    >>> opt = Adam(beta_2=0.99)
    >>> opt.get_params()["beta_2"]
    0.99
    >>> opt.set_params(beta_1=0.8)
    Adam(beta_1=0.8, beta_2=0.99)
    """

    @classmethod
    def _get_param_names(cls):
        return list(_init_param_names(cls, cls.__init__))

    def get_params(self, deep=True):
        """Get the hyper-parameters of this component.

        Parameters
        ----------
        deep : bool, default=True
            Also return the hyper-parameters of nested components, as
            ``name__param``.

        Returns
        -------
        params : dict
            Hyper-parameter names mapped to their values.
        """
        params = {}
        for name in self._get_param_names():
            value = getattr(self, name)
            if deep and hasattr(value, "get_params") and not isinstance(value, type):
                params.update(
                    (f"{name}__{k}", v) for k, v in value.get_params().items()
                )
            params[name] = value
        return params

    def set_params(self, **params):
        """Set hyper-parameters, nested ones as ``name__param``.

        Parameters
        ----------
        **params : dict
            Hyper-parameter names and their new values.

        Returns
        -------
        self : Component
            This component.
        """
        valid = self._get_param_names()
        nested = {}
        for key, value in params.items():
            name, sep, sub_key = key.partition("__")
            if name not in valid:
                raise ValueError(
                    f"Invalid parameter {name!r} for {type(self).__name__}. "
                    f"Valid parameters are: {valid!r}."
                )
            if sep:
                nested.setdefault(name, {})[sub_key] = value
            else:
                setattr(self, name, value)
        for name, sub_params in nested.items():
            getattr(self, name).set_params(**sub_params)
        return self

    #: Valid values of each hyper-parameter, in scikit-learn's
    #: ``_parameter_constraints`` format (empty: anything goes). Checked by
    #: :func:`resolve`, through which the estimators take every component
    #: when fitting starts, and by the optimizers' ``build`` and the
    #: schedules' ``start``.
    _parameter_constraints: dict = {}

    def fresh(self):
        """Return an unbuilt copy with the same hyper-parameters.

        The estimators train on a fresh copy so that the instance a user
        passed as a parameter is never mutated.
        """
        params = {
            name: value.fresh()
            if isinstance(value, Component)
            else copy.deepcopy(value)
            for name, value in self.get_params(deep=False).items()
        }
        return type(self)(**params)

    def _validate_params(self):
        """Raise scikit-learn's ``InvalidParameterError`` (a ``ValueError``)
        naming the first hyper-parameter outside ``_parameter_constraints``.

        Components are resolved on every ``fit`` and ``partial_fit`` call, so
        the valid case is checked against constraint objects made once per
        class, and a setting of plain values found valid is remembered (25 us
        for Adam's five checks, 1 us remembered); scikit-learn's own function
        only words the error.
        """
        constraints = _made_constraints(type(self))
        if not constraints:
            return
        params = self.get_params(deep=False)
        key = None
        if not any(isinstance(v, Component) for v in params.values()):
            try:  # settings of plain values found valid pass at once
                # With the types: 1 == 1.0 == True, but not every range takes
                # all. (A component hashes by identity, and every fit resolves
                # a fresh one: such settings are checked every time.)
                key = (type(self), *((k, type(v), v) for k, v in params.items()))
                if key in _VALID_SETTINGS:
                    return
            except TypeError:  # an unhashable value: check every time
                key = None
        if all(
            any(c.is_satisfied_by(params[name]) for c in options)
            for name, options in constraints.items()
            if name in params
        ):
            if key is not None and len(_VALID_SETTINGS) < 4096:
                _VALID_SETTINGS.add(key)
            return
        validate_parameter_constraints(
            self._parameter_constraints, params, type(self).__name__
        )

    def _keeps(self, owner, *methods):
        """Whether this object's class uses ``owner``'s own ``methods``.

        A compiled kernel that does the work of several methods at once runs
        only then: a subclass that overrides one of them gets the composed
        methods, never a kernel that bypasses its override.
        """
        return _class_keeps(type(self), owner, methods)

    def __repr__(self):
        defaults = {
            p.name: p.default
            for p in inspect.signature(type(self).__init__).parameters.values()
        }
        shown = [
            f"{name}={value!r}"
            for name, value in self.get_params(deep=False).items()
            if not _same_value(value, defaults.get(name, inspect.Parameter.empty))
        ]
        return f"{type(self).__name__}({', '.join(shown)})"


@functools.cache
def _init_param_names(cls, init):
    """Sorted hyper-parameter names of ``cls``, whose ``__init__`` is ``init``.

    Cached: ``inspect.signature`` costs about 40 us, and the estimators
    resolve their components on every ``fit`` and ``partial_fit`` call.
    """
    if init is object.__init__:
        return ()
    parameters = inspect.signature(init).parameters.values()
    for p in parameters:
        if p.kind == p.VAR_POSITIONAL or p.kind == p.VAR_KEYWORD:
            raise TypeError(
                f"{cls.__name__}.__init__ must list its hyper-parameters "
                "explicitly; *args and **kwargs are not supported."
            )
    return tuple(sorted(p.name for p in parameters if p.name != "self"))


@functools.cache
def _class_keeps(cls, owner, methods):
    # Cached: asked on every batch, and a class's methods do not change.
    return all(getattr(cls, name) is getattr(owner, name) for name in methods)


def _declaring_class(cls, attribute):
    """The class of ``cls``'s MRO whose own namespace sets ``attribute``:
    with ``_class_keeps``, whether a subclass still has the methods that a
    class-level declaration (a fused kernel, say) was made for."""
    return next(c for c in cls.__mro__ if attribute in vars(c))


def _same_value(a, b):
    try:
        return bool(a is b or a == b)
    except (TypeError, ValueError):  # array-valued hyper-parameters
        return False


def resolve(value, registry, kind, /, **defaults):
    """Turn a registry name or a component instance into a fresh component.

    Parameters
    ----------
    value : str or Component
        A key of ``registry`` or an instance of one of its classes.
    registry : dict of str to type
        Names mapped to component classes.
    kind : str
        What the component is, for the error message ("activation", ...).
    **defaults : dict
        Constructor arguments for a component named by a string; these are the
        estimator's flat parameters. They are ignored for an instance, which
        carries its own hyper-parameters.

    Returns
    -------
    component : Component
        A new, unbuilt component.
    """
    if isinstance(value, Component):
        component = value.fresh()
    elif isinstance(value, str) and value in registry:
        cls = registry[value]
        names = cls._get_param_names()
        component = cls(**{k: v for k, v in defaults.items() if k in names})
    else:
        raise ValueError(
            f"Unknown {kind} {value!r}; use one of {sorted(registry)} or an instance."
        )
    component._validate_params()  # a bad hyper-parameter fails before training
    return component


#: ``(class, (name, type, value), ...)`` of the settings found valid.
_VALID_SETTINGS = set()


@functools.cache
def _made_constraints(cls):
    return {
        name: [make_constraint(c) for c in options]
        for name, options in cls._parameter_constraints.items()
    }
